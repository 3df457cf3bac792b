import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isUserInputError } from '../../../src/shared/errors';
import { initL10n } from '../../../src/shared/l10n';
import { loadProject, parseProject, resolveProjectPath } from '../../../src/shared/project/load';
import { ProjectError, type ProjectProblem } from '../../../src/shared/project/problems';
import { builtinTinyChineseBert, pretrainedTrainingDefaults } from '../../../src/shared/project/presets';

const sampleProject = path.resolve(__dirname, '../../../examples/milk-tea/finetune.json');

const minimalText = JSON.stringify({
  data: { file: 'reviews.csv', textColumn: 'review', labelColumn: 'label' },
  labels: { 差评: 0, 好评: 1 },
});

function errorsOf(problems: ProjectProblem[]): ProjectProblem[] {
  return problems.filter((problem) => problem.severity === 'error');
}

/** Returns the only problem at `fieldPath`, failing when there is none or more than one. */
function problemAt(problems: ProjectProblem[], fieldPath: string): ProjectProblem {
  const matches = problems.filter((problem) => problem.path === fieldPath);
  assert.equal(matches.length, 1, `expected one problem at ${fieldPath}, got ${JSON.stringify(problems, null, 2)}`);
  return matches[0];
}

function makeTempFolder(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'finetune-project-'));
}

describe('parseProject', () => {
  it('fills every default for a minimal project', () => {
    const { loaded, problems } = parseProject(minimalText, '/shop/milk-tea/finetune.json');

    assert.deepEqual(problems, []);
    assert.ok(loaded);
    const project = loaded.project;
    assert.equal(project.name, 'milk-tea');
    assert.equal(project.task, 'classification');
    assert.deepEqual(project.data, { file: 'reviews.csv', format: 'auto', encoding: 'auto', textColumn: 'review', labelColumn: 'label' });
    assert.deepEqual(project.split, { train: 0.8, validation: 0.1, test: 0.1, seed: 42 });
    assert.deepEqual(project.cleaning, { stripMentions: true, stripHashtags: true, stripUrls: true, replacements: {}, maxCopies: 3, minLength: 1 });
    assert.equal(project.model.base, 'builtin:tiny-chinese-bert');
    assert.equal(project.backend, 'auto');
    assert.deepEqual(project.targets, { accuracy: 0.9 });
    assert.equal(project.output, 'runs');
    assert.equal(loaded.file, path.resolve('/shop/milk-tea/finetune.json'));
    assert.equal(loaded.root, path.resolve('/shop/milk-tea'));
  });

  it('applies preset defaults before generic ones', () => {
    const text = JSON.stringify({
      data: { file: 'reviews.csv', textColumn: 'review', labelColumn: 'label' },
      labels: { 差评: 0, 好评: 1 },
      training: { epochs: 12, seed: 7 },
    });
    const { loaded } = parseProject(text, '/shop/finetune.json');

    assert.ok(loaded);
    const training = loaded.project.training;
    assert.equal(training.epochs, 12);
    assert.equal(training.seed, 7);
    assert.equal(training.learningRate, builtinTinyChineseBert.trainingDefaults.learningRate);
    assert.equal(training.batchSize, builtinTinyChineseBert.trainingDefaults.batchSize);
    assert.equal(training.maxGradNorm, pretrainedTrainingDefaults.maxGradNorm);
    assert.equal(training.earlyStoppingPatience, builtinTinyChineseBert.trainingDefaults.earlyStoppingPatience);
    assert.equal(loaded.project.model.maxLength, builtinTinyChineseBert.maxLength);
    assert.ok(!loaded.defaultedTrainingFields.includes('epochs'));
    assert.ok(!loaded.defaultedTrainingFields.includes('seed'));
    assert.ok(loaded.defaultedTrainingFields.includes('learningRate'));
    assert.ok(loaded.defaultedTrainingFields.includes('maxGradNorm'));
    assert.equal(loaded.defaultedTrainingFields.length, 8);
  });

  it('uses generic defaults for a hub model', () => {
    const text = JSON.stringify({
      data: { file: 'reviews.csv', textColumn: 'review', labelColumn: 'label' },
      labels: { 差评: 0, 好评: 1 },
      model: { base: 'bert-base-chinese' },
    });
    const { loaded } = parseProject(text, '/shop/finetune.json');

    assert.ok(loaded);
    assert.deepEqual(loaded.project.training, pretrainedTrainingDefaults);
    assert.equal(loaded.project.model.maxLength, 128);
  });

  it('keeps an explicit maxLength over the preset', () => {
    const text = JSON.stringify({
      data: { file: 'reviews.csv', textColumn: 'review', labelColumn: 'label' },
      labels: { 差评: 0, 好评: 1 },
      model: { maxLength: 100 },
    });
    const { loaded } = parseProject(text, '/shop/finetune.json');

    assert.equal(loaded?.project.model.maxLength, 100);
  });

  it('accepts comments and trailing commas', () => {
    const text = [
      '{',
      '  // The review file exported from the delivery app.',
      '  "data": { "file": "reviews.csv", "textColumn": "review", "labelColumn": "label", },',
      '  /* Three labels. */',
      '  "labels": { "差评": 0, "好评": 1, "中性": 2, },',
      '}',
    ].join('\n');
    const { loaded, problems } = parseProject(text, '/shop/finetune.json');

    assert.deepEqual(problems, []);
    assert.deepEqual(loaded?.project.labels, { 差评: 0, 好评: 1, 中性: 2 });
  });

  it('reports every problem with path, line and column', () => {
    const text = [
      '{',
      '  "data": { "file": "reviews.csv", "textColumn": "review" },',
      '  "labels": { "差评": 0, "好评": 2 },',
      '  "training": { "learningRate": 5, "learningrate": 0.1 },',
      '  "split": { "train": 0.7, "validation": 0.1, "test": 0.1 },',
      '  "backend": "gpu"',
      '}',
    ].join('\n');
    const { loaded, problems } = parseProject(text, '/shop/finetune.json');

    assert.equal(loaded, undefined);
    const positions = problems.map((problem) => [problem.severity, problem.path, problem.line, problem.column]);
    assert.deepEqual(positions, [
      ['error', 'data.labelColumn', 2, 3],
      ['error', 'labels.好评', 3, 30],
      ['error', 'training.learningRate', 4, 33],
      ['warning', 'training.learningrate', 4, 36],
      ['error', 'split', 5, 3],
      ['error', 'backend', 6, 14],
    ]);
    assert.match(problemAt(problems, 'training.learningRate').message, /greater than 0 and at most 1, such as 0\.00002/);
    assert.match(problemAt(problems, 'training.learningrate').message, /Did you mean learningRate\?/);
    assert.match(problemAt(problems, 'split').message, /add up to 0\.9\b/);
    assert.match(problemAt(problems, 'backend').message, /"auto", "tensorflow-gpu", "tensorflow", "wasm", "cpu"/);
    assert.match(problemAt(problems, 'data.labelColumn').message, /"labelColumn": "label"/);
  });

  it('reports label id problems', () => {
    const cases: { labels: unknown; path: string; pattern: RegExp }[] = [
      { labels: { 好评: 0 }, path: 'labels', pattern: /at least 2 entries/ },
      { labels: { 差评: 0, 好评: 0 }, path: 'labels.好评', pattern: /uses id 0, which label 差评 already uses/ },
      { labels: { 差评: 0, 好评: 1.5 }, path: 'labels.好评', pattern: /whole number of at least 0/ },
      { labels: { 差评: 0, 好评: -1 }, path: 'labels.好评', pattern: /whole number of at least 0/ },
      { labels: { 差评: 0, 好评: 3 }, path: 'labels.好评', pattern: /from 0 to 1: with 2 labels/ },
      { labels: { 差评: 0, ' 好评': 1 }, path: 'labels[" 好评"]', pattern: /starts or ends with a space/ },
      { labels: { 差评: 0, '': 1 }, path: 'labels[""]', pattern: /empty name/ },
      { labels: ['差评', '好评'], path: 'labels', pattern: /object in curly braces/ },
    ];
    for (const { labels, path: fieldPath, pattern } of cases) {
      const text = JSON.stringify({ data: { file: 'a.csv', textColumn: 'review', labelColumn: 'label' }, labels });
      const errors = errorsOf(parseProject(text, '/shop/finetune.json').problems);
      assert.equal(errors.length, 1, `${JSON.stringify(labels)}: ${JSON.stringify(errors)}`);
      assert.equal(errors[0].path, fieldPath);
      assert.match(errors[0].message, pattern);
    }
  });

  it('accepts split ratios that round to 1', () => {
    const text = JSON.stringify({
      data: { file: 'a.csv', textColumn: 'review', labelColumn: 'label' },
      labels: { 差评: 0, 好评: 1 },
      split: { train: 0.7, validation: 0.2, test: 0.1 },
    });
    const { loaded, problems } = parseProject(text, '/shop/finetune.json');

    assert.deepEqual(problems, []);
    assert.equal(loaded?.project.split.validation, 0.2);
  });

  it('reports missing labels and data', () => {
    const { problems } = parseProject('{\n  "name": "shop"\n}', '/shop/finetune.json');

    assert.deepEqual(
      problems.map((problem) => [problem.path, problem.line, problem.column]),
      [
        ['data', 1, 1],
        ['labels', 1, 1],
      ],
    );
    assert.match(problemAt(problems, 'data').message, /data is missing/);
  });

  it('rejects the faq task for now', () => {
    const text = JSON.stringify({ task: 'faq', data: { file: 'faq.jsonl', textColumn: 'question', labelColumn: 'answer' } });
    const errors = errorsOf(parseProject(text, '/shop/finetune.json').problems);

    assert.equal(errors.length, 1);
    assert.equal(errors[0].path, 'task');
    assert.match(errors[0].message, /not supported yet/);
  });

  it('rejects an unknown built-in model', () => {
    const text = JSON.stringify({
      data: { file: 'a.csv', textColumn: 'review', labelColumn: 'label' },
      labels: { 差评: 0, 好评: 1 },
      model: { base: 'builtin:huge' },
    });
    const error = problemAt(parseProject(text, '/shop/finetune.json').problems, 'model.base');

    assert.match(error.message, /builtin:huge, which is not a built-in model\. Use one of builtin:tiny-chinese-bert/);
  });

  it('rejects a maxLength beyond the preset', () => {
    const text = JSON.stringify({
      data: { file: 'a.csv', textColumn: 'review', labelColumn: 'label' },
      labels: { 差评: 0, 好评: 1 },
      model: { maxLength: 256 },
    });
    const error = problemAt(parseProject(text, '/shop/finetune.json').problems, 'model.maxLength');

    assert.match(error.message, /reads at most 128 tokens/);
  });

  it('rejects equal text and label columns', () => {
    const text = JSON.stringify({ data: { file: 'a.csv', textColumn: 'review', labelColumn: 'review' }, labels: { 差评: 0, 好评: 1 } });
    const error = problemAt(parseProject(text, '/shop/finetune.json').problems, 'data.labelColumn');

    assert.match(error.message, /different column from data\.textColumn \(review\)/);
  });

  it('rejects a name unfit for a folder', () => {
    for (const name of ['shop/reviews', '.hidden', 'a:b', '']) {
      const text = JSON.stringify({ name, data: { file: 'a.csv', textColumn: 'review', labelColumn: 'label' }, labels: { 差评: 0, 好评: 1 } });
      const errors = errorsOf(parseProject(text, '/shop/finetune.json').problems);
      assert.equal(errors.length, 1, name);
      assert.equal(errors[0].path, 'name');
    }
    const chinese = JSON.stringify({ name: '奶茶店 评论.v2', data: { file: 'a.csv', textColumn: 'review', labelColumn: 'label' }, labels: { 差评: 0, 好评: 1 } });
    assert.deepEqual(parseProject(chinese, '/shop/finetune.json').problems, []);
  });

  it('warns about unknown and duplicate fields', () => {
    const text = [
      '{',
      '  "data": { "file": "a.csv", "textColumn": "review", "labelColumn": "label" },',
      '  "labels": { "差评": 0, "好评": 1 },',
      '  "epochs": 3,',
      '  "colour": "red",',
      '  "output": "a",',
      '  "output": "b"',
      '}',
    ].join('\n');
    const { loaded, problems } = parseProject(text, '/shop/finetune.json');

    assert.ok(loaded, 'warnings must not stop loading');
    assert.equal(loaded.project.output, 'b');
    assert.deepEqual(loaded.warnings, problems);
    assert.ok(problems.every((problem) => problem.severity === 'warning'));
    assert.match(problemAt(problems, 'epochs').message, /Did you mean training\.epochs\?/);
    assert.match(problemAt(problems, 'colour').message, /Check its spelling or remove it/);
    assert.deepEqual([problemAt(problems, 'output').line, problemAt(problems, 'output').column], [7, 3]);
  });

  it('accepts a $schema link', () => {
    const text = JSON.stringify({ $schema: './finetune.schema.json', data: { file: 'a.csv', textColumn: 'review', labelColumn: 'label' }, labels: { 差评: 0, 好评: 1 } });

    assert.deepEqual(parseProject(text, '/shop/finetune.json').problems, []);
  });

  it('reports syntax errors at their position', () => {
    const text = '{\n  "data": { "file": "a.csv" "textColumn": "review", "labelColumn": "label" },\n  "labels": { "差评": 0, "好评": 1 }\n}';
    const { loaded, problems } = parseProject(text, '/shop/finetune.json');

    assert.equal(loaded, undefined);
    const syntax = problemAt(problems, '');
    assert.deepEqual([syntax.line, syntax.column], [2, 29]);
    assert.match(syntax.message, /Invalid JSON: a comma is expected/);
  });

  it('reports an empty file and a non-object root', () => {
    assert.match(problemAt(parseProject('  \n', '/shop/finetune.json').problems, '').message, /finetune\.json is empty/);
    assert.match(problemAt(parseProject('[1, 2]', '/shop/finetune.json').problems, '').message, /one object in curly braces/);
  });

  it('keeps offsets after a byte order mark', () => {
    const text = '\uFEFF{ "data": 5, "labels": { "差评": 0, "好评": 1 } }';
    const problem = problemAt(parseProject(text, '/shop/finetune.json').problems, 'data');

    assert.equal(text.slice(problem.offset, problem.offset + problem.length), '5');
    assert.deepEqual([problem.line, problem.column], [1, 12]);
  });

  it('counts lines after CRLF and CR breaks', () => {
    const text = '{\r\n  "data": 5,\r  "labels": 3\r\n}';
    const { problems } = parseProject(text, '/shop/finetune.json');

    assert.deepEqual([problemAt(problems, 'data').line, problemAt(problems, 'data').column], [2, 11]);
    assert.deepEqual([problemAt(problems, 'labels').line, problemAt(problems, 'labels').column], [3, 13]);
  });

  it('writes messages in Chinese after initL10n', () => {
    const text = JSON.stringify({
      data: { file: 'a.csv', textColumn: 'review', labelColumn: 'label' },
      labels: { 差评: 0, 好评: 1 },
      training: { learningRate: 5, learningrate: 0.1 },
    });
    try {
      initL10n('zh-cn');
      const { problems } = parseProject(text, '/shop/finetune.json');
      assert.equal(problemAt(problems, 'training.learningRate').message, 'training.learningRate 必须是大于 0 且不超过 1 的数字，例如 0.00002。');
      assert.match(problemAt(problems, 'training.learningrate').message, /你是不是想写 learningRate？/);
      const error = new ProjectError('/shop/finetune.json', problems);
      assert.match(error.message, /有 1 处需要修改/);
      assert.match(error.message, /（finetune\.json 第 1 行，第 \d+ 列）/);
    } finally {
      initL10n('en');
    }
  });
});

describe('loadProject', () => {
  it('loads the sample project without problems', () => {
    const loaded = loadProject(sampleProject);

    assert.deepEqual(loaded.warnings, []);
    assert.equal(loaded.project.name, 'milk-tea-reviews');
    assert.deepEqual(loaded.project.labels, { 差评: 0, 好评: 1, 中性: 2 });
    assert.deepEqual(loaded.project.cleaning.replacements, { 珍猪: '珍珠' });
    assert.equal(loaded.project.model.base, 'builtin:tiny-chinese-bert');
    assert.equal(loaded.project.targets.accuracy, 0.9);
    assert.ok(!loaded.defaultedTrainingFields.includes('epochs'));
    assert.ok(loaded.defaultedTrainingFields.includes('learningRate'));
    assert.equal(loaded.project.training.learningRate, builtinTinyChineseBert.trainingDefaults.learningRate);
    assert.ok(fs.statSync(resolveProjectPath(loaded, loaded.project.data.file)).isFile());
  });

  it('throws one error listing all problems', () => {
    const folder = makeTempFolder();
    const file = path.join(folder, 'finetune.json');
    fs.writeFileSync(
      file,
      [
        '{',
        '  "data": { "file": "missing.csv", "textColumn": "review", "labelColumn": "label" },',
        '  "labels": { "差评": 0, "好评": 1 },',
        '  "training": { "learningRate": 0, "batchSize": 0, "epochs": "3" },',
        '  "colour": "red"',
        '}',
      ].join('\n'),
    );

    let caught: unknown;
    try {
      loadProject(file);
    } catch (error) {
      caught = error;
    }

    assert.ok(caught instanceof ProjectError);
    assert.ok(isUserInputError(caught));
    assert.deepEqual(
      caught.problems.map((problem) => [problem.path, problem.line, problem.column]),
      [
        ['data.file', 2, 21],
        ['training.learningRate', 4, 33],
        ['training.batchSize', 4, 49],
        ['training.epochs', 4, 62],
        ['colour', 5, 3],
      ],
    );
    assert.equal(caught.location.file, file);
    assert.equal(caught.location.field, 'data.file');
    assert.equal(caught.location.row, 2);
    const lines = caught.message.split('\n');
    assert.equal(lines[0], `${file} has 4 problems to fix:`);
    assert.equal(lines.length, 6);
    assert.match(lines[2], /^- training\.learningRate must be a number greater than 0 and at most 1, such as 0\.00002\. \(finetune\.json line 4, column 33\)$/);
    assert.match(lines[5], /^- Warning: colour is not a known field/);
    fs.rmSync(folder, { recursive: true });
  });

  it('skips the data file check when asked', () => {
    const folder = makeTempFolder();
    const file = path.join(folder, 'finetune.json');
    fs.writeFileSync(file, minimalText);

    const loaded = loadProject(file, { checkDataFile: false });

    assert.equal(resolveProjectPath(loaded, loaded.project.data.file), path.join(folder, 'reviews.csv'));
    assert.equal(resolveProjectPath(loaded, loaded.project.output), path.join(folder, 'runs'));
    assert.throws(() => loadProject(file), (error: unknown) => error instanceof ProjectError && error.problems[0].path === 'data.file');
    fs.rmSync(folder, { recursive: true });
  });

  it('reports a missing project file', () => {
    const missing = path.join(makeTempFolder(), 'finetune.json');

    assert.throws(() => loadProject(missing), (error: unknown) => isUserInputError(error) && /was not found/.test(error.message));
  });

  it('strips a byte order mark before counting columns', () => {
    const folder = makeTempFolder();
    const file = path.join(folder, 'finetune.json');
    fs.writeFileSync(file, '\uFEFF{ "data": 5 }');

    assert.throws(
      () => loadProject(file),
      (error: unknown) => error instanceof ProjectError && error.problems.some((problem) => problem.path === 'data' && problem.column === 11),
    );
    fs.rmSync(folder, { recursive: true });
  });
});
