// Writing files so that a crash or an interrupt never leaves half of one: write beside it, then rename over it.
import * as fs from "fs";
import * as path from "path";

/** Writes `data` to `file` (making its folder), replacing any old file in one step: readers see the old or the new, never a part. */
export function writeAtomically(file: string, data: string | Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.tmp`, data);
  fs.renameSync(`${file}.tmp`, file);
}
