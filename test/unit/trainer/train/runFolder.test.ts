import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRunFolder, readMetrics, RunWriter } from '../../../../src/trainer/train/runFolder';

describe('run folder', () => {
  let output: string;
  beforeEach(() => (output = fs.mkdtempSync(path.join(os.tmpdir(), 'runs-'))));
  afterEach(() => fs.rmSync(output, { recursive: true, force: true }));

  it('never reuses a folder started in the same second', () => {
    const when = new Date(2026, 11, 4, 9, 5, 7);
    const first = createRunFolder(output, '奶茶 评价', when);
    const second = createRunFolder(output, '奶茶 评价', when);
    assert.equal(path.basename(first), '20261204-090507-奶茶-评价');
    assert.equal(path.basename(second), '20261204-090507-奶茶-评价-2');
  });

  it('reads metrics back and skips a line cut by a crash', () => {
    const runDir = createRunFolder(output, 'x');
    const writer = new RunWriter(runDir);
    writer.metrics({ type: 'nan', time: 't', step: 3, epoch: 0.5 });
    fs.appendFileSync(path.join(runDir, 'metrics.jsonl'), '{"type":"step","ste');
    assert.deepEqual(readMetrics(runDir), [{ type: 'nan', time: 't', step: 3, epoch: 0.5 }]);
  });
});
