// The panels on the run folder of the suite's own training: the dashboard that opens while it trains,
// the error analysis and the inline predictions on reviews.csv. A review carrying HTML must stay text
// inside the error analysis webview, which the harness checks in the browser.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Evaluation } from '../../../src/shared/run/types';
import { probeBrowser, panelsSnapshot, trainSampleOnce, trainingTimeoutMs, waitFor, waitForSnapshot, workspaceRoot, type SampleTraining } from '../helpers';

/** Time for a webview to load its script and post `ready`, and for a file watcher event to arrive. */
const panelTimeoutMs = 30_000;

/** A review whose text is markup: rendered as HTML, the img would set the flag and the script would run. */
const htmlReview = '<img src=x onerror="window.finetuneInjected=1"><script>window.finetuneInjected=2</script>真的好喝';

/** What the harness's `errorAnalysisReview` probe reports about the review element holding `marker`. */
interface ReviewProbe {
  found: boolean;
  frames: number;
  textContent?: string;
  childElements?: number;
  imagesFromReview?: number;
  scriptsFromReview?: number;
  injectedFlag?: unknown;
  visible?: boolean;
}

describe('panels', function () {
  this.timeout(trainingTimeoutMs);

  let training: SampleTraining;
  let runDir: string;

  before(async () => {
    training = await trainSampleOnce();
    assert.ok(training.result, 'finetune.train resolved to nothing');
    runDir = training.result.runDir;
  });

  it('dashboard opens during the training', () => {
    const seen = training.snapshotsWhileRunning.some((snapshot) => snapshot.dashboards.some((dashboard) => dashboard.runDirs[0] === runDir));
    assert.ok(seen, `no dashboard of ${path.basename(runDir)} in the ${training.snapshotsWhileRunning.length} snapshots taken while training`);
  });

  it('dashboard shows the last epoch', async function () {
    this.timeout(panelTimeoutMs + 5_000);
    const state = await waitForSnapshot(
      (snapshot) => snapshot.dashboards.some((dashboard) => dashboard.runDirs[0] === runDir && dashboard.ready && dashboard.status !== 'running'),
      panelTimeoutMs,
      'the dashboard to post ready and read the end record',
    );
    const dashboard = state.dashboards.find((entry) => entry.runDirs[0] === runDir)!;
    assert.equal(dashboard.lastEpoch, 1, 'the training ran { epochs: 1 }');
    assert.equal(dashboard.status, training.result!.status);
    assert.equal(dashboard.lastStep, lastStepOf(runDir));
  });

  it('error analysis opens for the finished run', async () => {
    assert.equal(await vscode.commands.executeCommand('finetune.openErrorAnalysis', runDir), true);
    const state = await panelsSnapshot();
    assert.ok(state.errorAnalyses.includes(runDir), `open error analyses: ${JSON.stringify(state.errorAnalyses)}`);
  });

  it('misclassified row gets its prediction', async function () {
    this.timeout(panelTimeoutMs + 5_000);
    const dataFile = path.join(workspaceRoot(), 'reviews.csv');
    const evaluation = readEvaluation(runDir);
    assert.ok(evaluation.misclassified.length > 0, `the 1-epoch run misclassified no test row (accuracy ${evaluation.accuracy})`);
    const mistake = evaluation.misclassified[0];

    const state = await waitForSnapshot((snapshot) => findPrediction(snapshot, dataFile, mistake.row) !== undefined, panelTimeoutMs, `a prediction on row ${mistake.row}`);
    const prediction = findPrediction(state, dataFile, mistake.row)!;
    assert.equal(prediction.label, mistake.label);
    assert.equal(prediction.predicted, mistake.predicted);

    // evaluation.json's row is the 1-based line of the record in the data file. Its text is the cleaned
    // text, which may differ from the line, so only the label cell is compared.
    const document = await vscode.workspace.openTextDocument(dataFile);
    assert.ok(document.lineAt(mistake.row - 1).text.endsWith(`,${mistake.label}`), `line ${mistake.row}: ${document.lineAt(mistake.row - 1).text}`);
  });

  it('editing the row clears its prediction', async () => {
    const dataFile = path.join(workspaceRoot(), 'reviews.csv');
    const { row } = readEvaluation(runDir).misclassified[0];
    const document = await vscode.workspace.openTextDocument(dataFile);
    const editor = await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
    const original = document.getText();
    const rowsBefore = (await panelsSnapshot()).predictions.filter((entry) => samePath(entry.file, dataFile)).length;

    assert.ok(await editor.edit((edit) => edit.insert(new vscode.Position(row - 1, 0), '真的')));
    const state = await panelsSnapshot();
    assert.equal(findPrediction(state, dataFile, row), undefined, `row ${row} still has a prediction after its text changed`);
    assert.equal(state.predictions.filter((entry) => samePath(entry.file, dataFile)).length, rowsBefore - 1, 'other rows lost their predictions');

    await vscode.commands.executeCommand('undo');
    assert.equal(document.getText(), original);
  });

  it('Set Label button relabels the row', async function () {
    this.timeout(panelTimeoutMs * 2);
    const dataFile = path.join(workspaceRoot(), 'reviews.csv');
    const { row, label, predicted } = readEvaluation(runDir).misclassified[0];
    const document = await vscode.workspace.openTextDocument(dataFile);
    const original = document.getText();
    assert.equal(await vscode.commands.executeCommand('finetune.openErrorAnalysis', runDir), true);

    const click = await probeBrowser<{ clicked: boolean }>('clickInFrames', {
      selector: `.mistake[data-row="${row}"] vscode-button`,
      text: vscode.l10n.t('Set Label to {0}', predicted),
    }, panelTimeoutMs);
    assert.ok(click.clicked, `no "Set Label to ${predicted}" button on row ${row} in the error analysis`);
    await waitFor(() => document.lineAt(row - 1).text.endsWith(`,${predicted}`), panelTimeoutMs, `row ${row} relabelled from ${label} to ${predicted}`);

    await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
    await vscode.commands.executeCommand('undo');
    assert.equal(document.getText(), original);
  });

  it('review with HTML stays text', async function () {
    this.timeout(panelTimeoutMs * 2);
    const htmlRunDir = writeRunWithHtmlReview(runDir);
    assert.equal(await vscode.commands.executeCommand('finetune.openErrorAnalysis', htmlRunDir), true);

    const probe = await probeBrowser<ReviewProbe>('errorAnalysisReview', { marker: htmlReview }, panelTimeoutMs);
    assert.ok(probe.found, `no element with the review's text in ${probe.frames} frames of the page`);
    assert.equal(probe.textContent, htmlReview, 'the review is not shown as its literal text');
    assert.equal(probe.childElements, 0, 'the review element has child elements');
    assert.equal(probe.imagesFromReview, 0, 'an <img src=x> element exists');
    assert.equal(probe.scriptsFromReview, 0, 'a <script> element with the review\'s code exists');
    assert.equal(probe.injectedFlag, null, 'the review\'s onerror or script code ran');
    assert.equal(probe.visible, true, 'the review text is not visible');
  });
});

/**
 * Copies the run's evaluation.json and resolved finetune.json to a folder outside the workspace and
 * puts a misclassified review carrying HTML first. Without metrics.jsonl the folder is no run folder
 * to the Runs view and the inline predictions, so it changes neither.
 */
function writeRunWithHtmlReview(runDir: string): string {
  const target = fs.mkdtempSync(path.join(os.tmpdir(), 'html-review-run-'));
  const evaluation = readEvaluation(runDir);
  const [trueLabel, predicted] = evaluation.confusionMatrix.labels;
  const probabilities = Object.fromEntries(evaluation.confusionMatrix.labels.map((label) => [label, label === predicted ? 0.99 : 0.01 / (evaluation.confusionMatrix.labels.length - 1)]));
  evaluation.misclassified = [{ row: 2, text: htmlReview, label: trueLabel, predicted, probabilities }, ...evaluation.misclassified];
  fs.writeFileSync(path.join(target, 'evaluation.json'), JSON.stringify(evaluation, null, 2));

  // The data file path becomes absolute because the copy no longer lies next to reviews.csv.
  const project = JSON.parse(fs.readFileSync(path.join(runDir, 'finetune.json'), 'utf8')) as { data: { file: string } };
  project.data.file = path.join(workspaceRoot(), project.data.file);
  fs.writeFileSync(path.join(target, 'finetune.json'), JSON.stringify(project, null, 2));
  return target;
}

function readEvaluation(runDir: string): Evaluation {
  return JSON.parse(fs.readFileSync(path.join(runDir, 'evaluation.json'), 'utf8')) as Evaluation;
}

function lastStepOf(runDir: string): number | undefined {
  const records = fs
    .readFileSync(path.join(runDir, 'metrics.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { type: string; step?: number });
  return records.filter((record) => record.type === 'step').at(-1)?.step;
}

function findPrediction(snapshot: Awaited<ReturnType<typeof panelsSnapshot>>, file: string, row: number) {
  return snapshot.predictions.find((entry) => samePath(entry.file, file) && entry.row === row);
}

function samePath(a: string, b: string): boolean {
  return path.resolve(a) === path.resolve(b);
}
