// Follows a run's metrics.jsonl while the trainer appends to it. Plain Node, no vscode import, so unit
// tests run it.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { appendMetricsText, emptyRunMetrics, type RunMetrics } from './metricsSeries';

export const metricsFileName = 'metrics.jsonl';

/** Reads metrics.jsonl incrementally from the last byte read, so a long run is not re-parsed each tick. */
export class MetricsTail {
  readonly metrics: RunMetrics = emptyRunMetrics();
  private offset = 0;
  private readonly decoder = new StringDecoder('utf8');

  constructor(readonly runDir: string) {}

  /** Reads what was appended since the last call. Returns true when any bytes arrived. */
  read(): boolean {
    const file = path.join(this.runDir, metricsFileName);
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      return false;
    }
    try {
      const size = fs.fstatSync(fd).size;
      if (size <= this.offset) return false;
      const buffer = Buffer.alloc(size - this.offset);
      const bytesRead = fs.readSync(fd, buffer, 0, buffer.length, this.offset);
      this.offset += bytesRead;
      appendMetricsText(this.metrics, this.decoder.write(buffer.subarray(0, bytesRead)));
      return true;
    } finally {
      fs.closeSync(fd);
    }
  }

  get finished(): boolean {
    return this.metrics.end !== undefined;
  }
}
