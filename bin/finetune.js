#!/usr/bin/env node
// The `finetune` command: runs the bundled trainer (dist/trainer.js), built by `npm run build`.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const trainer = path.join(__dirname, '..', 'dist', 'trainer.js');
if (!fs.existsSync(trainer)) {
  process.stderr.write(`${trainer} is missing. Run "npm run build" first.\n`);
  process.exit(1);
}
require(trainer);
