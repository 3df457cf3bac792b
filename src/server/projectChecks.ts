// Checks of finetune.json that need more than its JSON schema: the problems of the shared project
// loader, whether the data file exists, whether its columns exist, and whether the labels in the data
// match the label map.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { findNodeAtLocation, parseTree, type JSONPath } from 'jsonc-parser';
import { decodeText } from '../shared/data/encoding';
import { resolveFormat } from '../shared/data/format';
import { LabelResolver } from '../shared/data/labels';
import { t } from '../shared/l10n';
import type { ProjectEntry } from './projects';
import { openDataset } from './dataset';

export interface ProjectIssue {
  severity: 'error' | 'warning';
  offset: number;
  length: number;
  message: string;
}

/** Unknown labels listed in one message at most; the rest are counted. */
const maxListedLabels = 5;

/**
 * Checks one finetune.json. `text` is its current text; `dataText` is the data file's text when it is
 * open in an editor, read from disk otherwise.
 */
export function checkProject(entry: ProjectEntry, text: string, dataText?: string): ProjectIssue[] {
  const issues: ProjectIssue[] = entry.problems.map((problem) => ({ severity: problem.severity, offset: problem.offset, length: problem.length, message: problem.message }));
  const tree = parseTree(text, [], { allowTrailingComma: true });
  const span = (location: JSONPath) => {
    const node = tree && findNodeAtLocation(tree, location);
    return node ? { offset: node.offset, length: node.length } : { offset: 0, length: 0 };
  };

  if (!entry.dataFile) return issues;
  let content: string | Uint8Array | undefined = dataText;
  if (content === undefined) {
    if (!fs.existsSync(entry.dataFile) || !fs.statSync(entry.dataFile).isFile()) {
      issues.push({
        severity: 'error',
        ...span(['data', 'file']),
        message: t('Data file {0} not found. Check the file name in data.file, or move the data file next to finetune.json.', entry.dataFile),
      });
      return issues;
    }
    content = fs.readFileSync(entry.dataFile);
  }
  const loaded = entry.loaded;
  if (!loaded) return issues;

  const { data } = loaded.project;
  let dataSource: string;
  try {
    dataSource = typeof content === 'string' ? content : decodeText(content, data.encoding, entry.dataFile).text;
  } catch (error) {
    issues.push({ severity: 'error', ...span(['data', 'encoding']), message: (error as Error).message });
    return issues;
  }
  const { format, delimiter } = resolveFormat(entry.dataFile, data.format, dataSource);
  const dataset = openDataset(dataSource, format, { textColumn: data.textColumn, labelColumn: data.labelColumn }, delimiter);
  const fileName = path.basename(entry.dataFile);
  for (const problem of dataset.columnProblems) {
    const existing = problem.existing.map((name) => `"${name}"`).join(', ');
    issues.push({
      severity: 'error',
      ...span(problem.field.split('.')),
      message: t('Column "{0}" not found in {1}. The file has the columns {2}. Set {3} to one of them.', problem.column, fileName, existing, problem.field),
    });
  }
  if (dataset.columnProblems.length > 0) return issues;

  const resolver = new LabelResolver(loaded.project.labels);
  const unknown = new Map<string, number>();
  const used = new Set<number>();
  for (const row of dataset.rows()) {
    if (row.blank || row.parseError !== undefined) continue;
    const resolution = resolver.resolve(row.rawLabel);
    if (resolution.kind === 'known') used.add(resolution.id);
    else if (resolution.kind === 'unknown') unknown.set(row.rawLabel!, (unknown.get(row.rawLabel!) ?? 0) + 1);
  }

  if (unknown.size > 0) {
    const listed = [...unknown.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, maxListedLabels)
      .map(([label, count]) => t('"{0}" ({1} rows)', label, count))
      .join(', ');
    const more = unknown.size > maxListedLabels ? t(' and {0} more', unknown.size - maxListedLabels) : '';
    issues.push({
      severity: 'warning',
      ...span(['labels']),
      message: t('{0} has labels that are not in this map: {1}{2}. Add them here, or fix them in the data file.', fileName, listed, more),
    });
  }
  resolver.names.forEach((name, id) => {
    if (used.has(id)) return;
    issues.push({
      severity: 'warning',
      ...span(['labels', name]),
      message: t('No row of {0} has the label "{1}", so the model cannot learn it. Label some rows "{1}", or remove it from the map.', fileName, name),
    });
  });
  return issues;
}
