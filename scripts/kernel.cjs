#!/usr/bin/env node
// The course kernel: tslab started at the repository root, whatever folder Jupyter opened the
// notebook from, so every notebook imports "./src/..." and reads "datasets/..." the same way.
const path = require("path");
const root = path.resolve(__dirname, "..");
process.chdir(root);
const configIndex = process.argv.indexOf("--config-path");
if (configIndex < 0 || !process.argv[configIndex + 1]) {
  console.error("kernel.cjs: usage: node scripts/kernel.cjs --config-path CONNECTION_FILE");
  process.exit(2);
}
require(path.join(root, "node_modules/tslab/dist/main.js")).startKernel({
  configPath: process.argv[configIndex + 1],
  enableFindLocal: false,
});
