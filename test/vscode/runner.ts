// Runs the compiled *.test.js files of one folder with mocha inside the extension host, and rejects
// when a test fails so that VS Code's test driver reports exit code 1.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import { PlainTextReporter } from './reporter';

/**
 * Upper bound for one test. The training test sets its own, longer timeout; activation and command
 * checks finish in seconds, and a minute leaves room for a slow, shared CI machine.
 */
const defaultTestTimeoutMs = 60_000;

export async function runSuite(folder: string): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', reporter: PlainTextReporter, timeout: defaultTestTimeoutMs, color: false });
  const files = fs.readdirSync(folder).filter((name) => name.endsWith('.test.js')).sort();
  if (files.length === 0) throw new Error(`no *.test.js files in ${folder}; build the suite first`);
  for (const name of files) mocha.addFile(path.join(folder, name));

  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} test(s) failed`);
}
