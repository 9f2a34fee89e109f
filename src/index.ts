// The course library at a glance (docs/ARCHITECTURE.md draws it): one namespace per part. Lessons import the
// files they need directly (`./src/np/index`: tslab cannot import a folder); this file is the map.
// Lessons, one folder each:
export * as welcome from "./welcome/index";
export * as rnn from "./rnn/index";
export * as mnist from "./mnist/index";
export * as charlm from "./charlm/index";
export * as shakespeare from "./shakespeare/index";
export * as tang from "./tang/index";
// Course services:
export * as names from "./data/names";
export * as poems from "./data/poems";
export * as text from "./data/text";
export * as runs from "./runs/index";
export * as plot from "./plot/index";
export * as check from "./check/index";
// The engine:
export * as np from "./np/index";
export * as tfBackend from "./tf/backend";
export * as tfModels from "./tf/models";
export * as tfClip from "./tf/clip";
export * as generate from "./tf/generate";
export * as tfKernels from "./tf/kernels/index";
export * as wasm from "./wasm/assembler";
export * as arena from "./wasm/arena";
// Base:
export * as course from "./course";
export * as display from "./display";
export { describe } from "./describe";
