// The course library at a glance: one namespace per idea, each a folder (or file) of src/. Lessons import
// the files they need directly (`./src/np/index`: tslab cannot import a folder); this file is the map.
export * as np from "./np/index";
export * as rnn from "./rnn/index";
export * as charlm from "./charlm/index";
export * as grade from "./grade/index";
export * as plot from "./plot/index";
export * as runs from "./runs/index";
export * as names from "./data/names";
export * as welcome from "./welcome";
export * as course from "./course";
export * as tfBackend from "./tf/backend";
