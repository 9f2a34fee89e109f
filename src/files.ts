// Writing files and folders so that a crash or an interrupt never leaves half of one: write beside it, then rename over it.
import * as fs from "fs";
import * as path from "path";

/** Writes `data` to `file` (making its folder), replacing any old file in one step: readers see the old or the new, never a part. */
export function writeAtomically(file: string, data: string | Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(`${file}.tmp`, data);
  fs.renameSync(`${file}.tmp`, file);
}

/**
 * Replaces the folder `dir` with one holding `files` (name → contents) and whatever else dir held, as one unit: the new
 * folder is written whole beside it (dir.new), then renamed into place, and the old one (renamed dir.old) is removed
 * only once the new one is there. A kill at any moment leaves the old folder or the new one, whole; settleFolder
 * finishes a swap cut short between its two renames. Refuses a folder that holds other files but none of `files`.
 */
export function writeFolderAtomically(dir: string, files: Record<string, string | Buffer>): void {
  dir = path.resolve(dir);
  settleFolder(dir);
  const names = Object.keys(files);
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0 && !names.some((name) => fs.existsSync(path.join(dir, name)))) {
    // Not a folder written this way (a learner's folder, the course itself): replacing it whole would move all it holds.
    throw new Error(`${dir} holds other files and none of ${names.join(", ")}: it is not a folder this writes; give a new or empty folder.`);
  }
  const fresh = `${dir}.new`;
  const old = `${dir}.old`;
  fs.rmSync(fresh, { recursive: true, force: true }); // a write cut short: its old folder is still in place
  fs.mkdirSync(fresh, { recursive: true });
  if (fs.existsSync(dir)) {
    for (const entry of fs.readdirSync(dir)) if (!(entry in files)) fs.cpSync(path.join(dir, entry), path.join(fresh, entry), { recursive: true });
  }
  for (const [name, data] of Object.entries(files)) fs.writeFileSync(path.join(fresh, name), data);
  if (fs.existsSync(dir)) fs.renameSync(dir, old);
  fs.renameSync(fresh, dir);
  fs.rmSync(old, { recursive: true, force: true });
}

/**
 * Finishes a writeFolderAtomically cut short: with dir gone and dir.old there, the whole new folder (dir.new) is
 * renamed into place; a leftover dir.old is removed once dir is there. Touches nothing when no swap was under way.
 */
export function settleFolder(dir: string): void {
  dir = path.resolve(dir);
  const old = `${dir}.old`;
  if (!fs.existsSync(old)) return;
  if (!fs.existsSync(dir)) fs.renameSync(fs.existsSync(`${dir}.new`) ? `${dir}.new` : old, dir);
  fs.rmSync(old, { recursive: true, force: true });
}
