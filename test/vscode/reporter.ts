// A mocha reporter that formats every line itself. VS Code's extension host forwards console.log
// arguments without printf formatting, so mocha's own reporters would print their "%s" templates.
import * as util from 'node:util';
import Mocha from 'mocha';

const { EVENT_RUN_END, EVENT_SUITE_BEGIN, EVENT_SUITE_END, EVENT_TEST_FAIL, EVENT_TEST_PASS, EVENT_TEST_PENDING } =
  Mocha.Runner.constants;

export class PlainTextReporter extends Mocha.reporters.Base {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    let depth = 0;
    const failures: { title: string; error: unknown }[] = [];
    const indent = () => '  '.repeat(depth);

    runner.on(EVENT_SUITE_BEGIN, (suite: Mocha.Suite) => {
      if (suite.root) return;
      console.log(`${indent()}${suite.title}`);
      depth += 1;
    });
    runner.on(EVENT_SUITE_END, (suite: Mocha.Suite) => {
      if (!suite.root) depth -= 1;
    });
    runner.on(EVENT_TEST_PASS, (test: Mocha.Test) => {
      console.log(`${indent()}ok ${test.title} (${test.duration ?? 0} ms)`);
    });
    runner.on(EVENT_TEST_PENDING, (test: Mocha.Test) => {
      console.log(`${indent()}pending ${test.title}`);
    });
    runner.on(EVENT_TEST_FAIL, (test: Mocha.Test, error: unknown) => {
      failures.push({ title: test.fullTitle(), error });
      console.log(`${indent()}FAILED ${test.title} (#${failures.length})`);
    });

    runner.once(EVENT_RUN_END, () => {
      failures.forEach(({ title, error }, index) => console.log(`\n${index + 1}) ${title}\n${describeError(error)}`));
      const stats = this.stats;
      const pending = stats.pending > 0 ? `, ${stats.pending} skipped` : '';
      console.log(`\n${stats.passes} passed, ${stats.failures} failed${pending}`);
    });
  }
}

/** Formats an error with its stack and, for assertion errors, the expected and actual values. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return util.inspect(error);
  const lines = [error.stack ?? `${error.name}: ${error.message}`];
  const assertion = error as Error & { actual?: unknown; expected?: unknown; showDiff?: boolean };
  if (assertion.showDiff !== false && ('expected' in assertion || 'actual' in assertion)) {
    lines.push(`  expected: ${util.inspect(assertion.expected, { depth: 4 })}`);
    lines.push(`  actual:   ${util.inspect(assertion.actual, { depth: 4 })}`);
  }
  return lines.join('\n');
}
