// Typed arrays carved in order out of one block of memory that never grows, so every array handed out stays
// valid. With WebAssembly memory, the course's WebAssembly kernels read and write the same arrays as
// JavaScript, by byte offset (lesson 3's model, stateful text generation).
import { webAssembly } from "./assembler";
import type { WasmMemory } from "./assembler";

export class Arena {
  /** The WebAssembly memory holding the arrays, or null when they live in a plain ArrayBuffer. */
  readonly memory: WasmMemory | null;
  private readonly buffer: ArrayBuffer;
  private used = 16; // byte offset 0 is left unused, so no array starts at address 0

  /** Makes room for `bytes` of arrays (and the padding that aligns each to 16 bytes), in WebAssembly memory when `wasm`. */
  constructor(bytes: number, wasm: boolean) {
    const size = bytes + 4096;
    this.memory = wasm ? new webAssembly.Memory({ initial: Math.ceil(size / 65536) }) : null;
    this.buffer = this.memory ? this.memory.buffer : new ArrayBuffer(size);
  }

  /** Returns a new array of n float64 numbers, zero or a copy of `values`, 16-byte aligned. */
  float64(n: number, values?: ArrayLike<number>): Float64Array {
    const array = new Float64Array(this.buffer, this.carve(n * 8), n);
    if (values) array.set(values);
    return array;
  }

  /** Returns a new array of n float32 numbers, zero or a copy of `values`, 16-byte aligned. */
  float32(n: number, values?: ArrayLike<number>): Float32Array {
    const array = new Float32Array(this.buffer, this.carve(n * 4), n);
    if (values) array.set(values);
    return array;
  }

  private carve(bytes: number): number {
    const offset = Math.ceil(this.used / 16) * 16;
    if (offset + bytes > this.buffer.byteLength) throw new Error(`Arena: no room for ${bytes} more bytes (${this.buffer.byteLength} in all)`);
    this.used = offset + bytes;
    return offset;
  }
}
