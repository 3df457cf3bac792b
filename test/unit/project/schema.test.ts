import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseProject } from '../../../src/shared/project/load';
import { projectRule, type FieldRule, type SectionRule } from '../../../src/shared/project/rules';

const repository = path.resolve(__dirname, '../../..');
const schema = JSON.parse(fs.readFileSync(path.join(repository, 'schemas/finetune.schema.json'), 'utf8')) as SchemaNode;

interface SchemaNode {
  [keyword: string]: unknown;
  type?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  additionalProperties?: boolean | SchemaNode;
  propertyNames?: Record<string, unknown>;
}

/** Keywords a leaf rule and its schema entry must state alike. */
const leafKeywords = ['enum', 'minimum', 'exclusiveMinimum', 'maximum', 'exclusiveMaximum', 'minLength', 'maxLength', 'pattern', 'default'];

/** A project that loads without problems, which the tests below change one field at a time. */
const validProject = {
  name: 'milk-tea-reviews',
  task: 'classification',
  data: { file: 'reviews.csv', format: 'csv', encoding: 'utf-8', textColumn: 'review', labelColumn: 'label' },
  labels: { 差评: 0, 好评: 1, 中性: 2 },
  split: { train: 0.8, validation: 0.1, test: 0.1, seed: 1 },
  cleaning: { stripMentions: false, stripHashtags: false, stripUrls: false, replacements: { 珍猪: '珍珠' }, maxCopies: 2, minLength: 2 },
  model: { base: 'bert-base-chinese', maxLength: 64 },
  training: {
    learningRate: 3e-5,
    batchSize: 16,
    epochs: 4,
    weightDecay: 0,
    warmupRatio: 0,
    maxGradNorm: 2,
    dropout: 0.2,
    seed: 1,
    earlyStoppingPatience: 0,
    checkpointEverySteps: 10,
  },
  backend: 'wasm',
  targets: { accuracy: 0.8 },
  output: 'out',
};

interface Leaf {
  path: string[];
  rule: FieldRule;
  schema: SchemaNode;
}

/** Lists every field below `rule` with its schema entry, sections included. */
function listFields(rule: SectionRule, node: SchemaNode, prefix: string[] = []): Leaf[] {
  const fields: Leaf[] = [];
  for (const [key, child] of Object.entries(rule.properties)) {
    const childSchema = node.properties?.[key];
    assert.ok(childSchema, `schema lacks ${[...prefix, key].join('.')}`);
    fields.push({ path: [...prefix, key], rule: child, schema: childSchema });
    if (child.type === 'object') fields.push(...listFields(child, childSchema, [...prefix, key]));
  }
  return fields;
}

function withValue(fieldPath: string[], value: unknown): string {
  const project = structuredClone(validProject) as Record<string, unknown>;
  let target = project;
  for (const key of fieldPath.slice(0, -1)) target = target[key] as Record<string, unknown>;
  target[fieldPath[fieldPath.length - 1]] = value;
  return JSON.stringify(project, null, 2);
}

function withoutField(fieldPath: string[]): string {
  const project = structuredClone(validProject) as Record<string, unknown>;
  let target = project;
  for (const key of fieldPath.slice(0, -1)) target = target[key] as Record<string, unknown>;
  delete target[fieldPath[fieldPath.length - 1]];
  return JSON.stringify(project, null, 2);
}

function errorPaths(text: string): string[] {
  return parseProject(text, '/shop/finetune.json')
    .problems.filter((problem) => problem.severity === 'error')
    .map((problem) => problem.path);
}

const fields = listFields(projectRule, schema);

describe('finetune.schema.json', () => {
  it('is a draft-07 schema for comments and trailing commas', () => {
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.equal(schema.allowComments, true);
    assert.equal(schema.allowTrailingCommas, true);
  });

  it('lists the same fields as the validator', () => {
    const schemaSections: [string, SchemaNode][] = [['', schema], ...fields.filter((field) => field.rule.type === 'object').map((field): [string, SchemaNode] => [field.path.join('.'), field.schema])];
    for (const [sectionPath, node] of schemaSections) {
      const rule = sectionPath === '' ? projectRule : (fields.find((field) => field.path.join('.') === sectionPath)!.rule as SectionRule);
      const schemaKeys = Object.keys(node.properties ?? {}).filter((key) => key !== '$schema');
      assert.deepEqual(schemaKeys, Object.keys(rule.properties), sectionPath);
      assert.equal(node.additionalProperties, false, sectionPath);
    }
  });

  it('states the same bounds, enums and defaults', () => {
    for (const { path: fieldPath, rule, schema: node } of fields) {
      const name = fieldPath.join('.');
      if (rule.type === 'object') {
        assert.equal(node.type, 'object', name);
        continue;
      }
      if (rule.type === 'map') {
        assert.equal(node.type, 'object', name);
        assert.deepEqual(node.propertyNames, rule.keys, name);
        assert.equal(node.minProperties, rule.minProperties, name);
        assert.deepEqual(node.default, rule.default, name);
        const values = node.additionalProperties as SchemaNode;
        assert.equal(values.type, rule.values.type, name);
        for (const keyword of leafKeywords) assert.deepEqual(values[keyword], (rule.values as unknown as Record<string, unknown>)[keyword], `${name} values ${keyword}`);
        continue;
      }
      assert.equal(node.type, rule.type, name);
      for (const keyword of leafKeywords) assert.deepEqual(node[keyword], (rule as unknown as Record<string, unknown>)[keyword], `${name} ${keyword}`);
    }
  });

  it('requires the same fields as the validator', () => {
    assert.deepEqual(schema.required, ['data']);
    assert.deepEqual(schema.if, { properties: { task: { const: 'classification' } } });
    assert.deepEqual(schema.then, { required: ['labels'] });
    assert.deepEqual(schema.properties?.data.required, ['file', 'textColumn', 'labelColumn']);

    const required = ['data', 'data.file', 'data.textColumn', 'data.labelColumn', 'labels'];
    for (const { path: fieldPath } of fields) {
      const name = fieldPath.join('.');
      const errors = errorPaths(withoutField(fieldPath));
      if (required.includes(name)) assert.deepEqual(errors, [name], `${name} is required`);
      else assert.deepEqual(errors, [], `${name} is optional`);
    }
  });

  it('matches the defaults the loader fills', () => {
    // A hub model, so that no preset replaces the generic training defaults.
    const data = { file: 'reviews.csv', textColumn: 'review', labelColumn: 'label' };
    const hubText = JSON.stringify({ data, labels: validProject.labels, model: { base: 'bert-base-chinese' } });
    const hubProject = parseProject(hubText, '/shop/milk-tea/finetune.json').loaded?.project;
    const presetText = JSON.stringify({ data, labels: validProject.labels });
    const presetProject = parseProject(presetText, '/shop/milk-tea/finetune.json').loaded?.project;
    assert.ok(hubProject);
    assert.ok(presetProject);

    let checked = 0;
    for (const { path: fieldPath, rule, schema: node } of fields) {
      if (rule.type === 'object' || !('default' in node)) continue;
      const name = fieldPath.join('.');
      let value: unknown = name === 'model.base' ? presetProject : hubProject;
      for (const key of fieldPath) value = (value as Record<string, unknown>)[key];
      assert.deepEqual(value, node.default, name);
      checked++;
    }
    assert.equal(checked, 28);
  });

  it('describes every field in Chinese and English', () => {
    const described = [schema, ...fields.map((field) => field.schema), schema.properties!.$schema];
    for (const node of described) {
      for (const keyword of ['description', 'markdownDescription']) {
        const text = node[keyword];
        assert.equal(typeof text, 'string', `${keyword} of ${JSON.stringify(node).slice(0, 80)}`);
        assert.match(text as string, /[\u4e00-\u9fff]/);
        assert.match(text as string, /\b[a-z]+ [a-z]+ [a-z]+\b/);
      }
    }
  });

  it('accepts the valid project and the sample project', () => {
    assert.deepEqual(parseProject(JSON.stringify(validProject), '/shop/finetune.json').problems, []);
    const sample = fs.readFileSync(path.join(repository, 'examples/milk-tea/finetune.json'), 'utf8');
    assert.deepEqual(parseProject(sample, path.join(repository, 'examples/milk-tea/finetune.json')).problems, []);
  });
});

describe('field rules', () => {
  it('reject a value of the wrong type', () => {
    const wrongValues: Record<FieldRule['type'], unknown> = { number: 'x', integer: 'x', string: 5, boolean: 1, object: 3, map: 3 };
    for (const { path: fieldPath, rule } of fields) {
      const name = fieldPath.join('.');
      assert.deepEqual(errorPaths(withValue(fieldPath, wrongValues[rule.type])), [name], name);
    }
  });

  it('reject numbers outside their bounds', () => {
    for (const { path: fieldPath, rule } of fields) {
      if (rule.type !== 'number' && rule.type !== 'integer') continue;
      const name = fieldPath.join('.');
      const outside = [
        rule.minimum === undefined ? undefined : rule.minimum - 1,
        rule.exclusiveMinimum,
        rule.maximum === undefined ? undefined : rule.maximum + 1,
        rule.exclusiveMaximum,
        rule.type === 'integer' ? rule.example + 0.5 : undefined,
      ].filter((value) => value !== undefined);
      assert.ok(outside.length > 0, name);
      for (const value of outside) {
        assert.deepEqual(errorPaths(withValue(fieldPath, value)), [name], `${name} = ${value}`);
      }
      assert.deepEqual(errorPaths(withValue(fieldPath, rule.example)), [], `${name} example`);
    }
  });
});

describe('project translations', () => {
  it('cover every message of the project loader', () => {
    const translations = JSON.parse(fs.readFileSync(path.join(repository, 'l10n/zh-cn/project.json'), 'utf8')) as Record<string, string>;
    const folder = path.join(repository, 'src/shared/project');
    const messages: string[] = [];
    for (const name of fs.readdirSync(folder).filter((file) => file.endsWith('.ts'))) {
      const source = fs.readFileSync(path.join(folder, name), 'utf8');
      for (const match of source.matchAll(/\bt\(\s*'((?:[^'\\]|\\.)*)'/g)) {
        // Evaluates the single-quoted literal, so that escapes such as \\ read as in the compiled code.
        messages.push(new Function(`return '${match[1]}';`)() as string);
      }
    }

    assert.ok(messages.length > 40);
    for (const message of messages) {
      assert.ok(message in translations, `no zh-cn translation for: ${message}`);
      const placeholders = (text: string) => [...text.matchAll(/\{\d\}/g)].map((match) => match[0]).sort();
      assert.deepEqual([...new Set(placeholders(translations[message]))], [...new Set(placeholders(message))], message);
    }
  });
});
