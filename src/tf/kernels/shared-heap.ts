// The wasm backend's heap as a shared WebAssembly.Memory, so that the course's kernels can split their
// work across worker threads that read and write the same tensors (src/wasm/threads.ts). TensorFlow.js's
// own threaded build does not run in Node (tensorflow/tfjs#3830); its SIMD build defines one memory
// (256 pages, growing to 65536), and a shared memory is that memory with the "shared" flag set: one
// byte of the memory section. The patched copy goes to the temporary folder, named by a hash of its
// bytes, and tfjs loads it through its public setWasmPaths.
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

const simdBinary = "tfjs-backend-wasm-simd.wasm";
const binaries = ["tfjs-backend-wasm.wasm", simdBinary, "tfjs-backend-wasm-threaded-simd.wasm"];

/** Reads an unsigned LEB128 at `at`; returns the value and the offset after it. */
function readUleb(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  for (let shift = 0; ; shift += 7) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, at];
  }
}

/**
 * Returns a copy of a WebAssembly binary whose one defined memory is shared, or null when the binary
 * does not define exactly one memory with a maximum (then it cannot be shared as it is).
 */
export function withSharedMemory(binary: Uint8Array): Uint8Array | null {
  for (let at = 8; at < binary.length; ) {
    const id = binary[at];
    const [size, body] = readUleb(binary, at + 1);
    if (id === 5) {
      const [count, limits] = readUleb(binary, body);
      if (count !== 1 || binary[limits] !== 0x01) return null; // flags 1: min and max, not shared
      const shared = Uint8Array.from(binary);
      shared[limits] = 0x03; // min and max, shared
      return shared;
    }
    at = body + size;
  }
  return null;
}

/**
 * Points tfjs at a copy of its SIMD binary whose memory is shared; call before the wasm backend starts.
 * Returns false (and changes nothing) when the binary is not as expected or tfjs has started already.
 */
export function shareWasmHeap(): boolean {
  const dist = path.dirname(require.resolve("@tensorflow/tfjs-backend-wasm"));
  const shared = withSharedMemory(fs.readFileSync(path.join(dist, simdBinary)));
  if (!shared) return false;
  const hash = crypto.createHash("sha256").update(shared).digest("hex").slice(0, 16);
  // One copy per user (another user's file in /tmp cannot be replaced), written beside and renamed.
  const file = path.join(os.tmpdir(), `rnn-lessons-${os.userInfo().uid}-tfjs-shared-${hash}.wasm`);
  try {
    const current = fs.existsSync(file) ? fs.readFileSync(file) : undefined;
    if (!current || !current.equals(shared)) {
      fs.writeFileSync(`${file}.${process.pid}`, shared);
      fs.renameSync(`${file}.${process.pid}`, file);
    }
    setWasmPaths(Object.fromEntries(binaries.map((name) => [name, name === simdBinary ? file : path.join(dist, name)])));
    return true;
  } catch {
    return false; // no temporary folder to write to, or the backend started already: it keeps its own memory
  }
}
