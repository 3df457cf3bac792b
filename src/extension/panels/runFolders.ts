// Finding projects and their run folders on disk. Panels read run folders, not the trainer, so they work
// for finished runs and after a window reload.

import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { parse as parseJsonc } from 'jsonc-parser';
import type { FinetuneProject } from '../../shared/project/types';
import type { Evaluation } from '../../shared/run/types';
import { metricsFileName } from './metricsTail';

export { metricsFileName };

export const projectFileName = 'finetune.json';
export const evaluationFileName = 'evaluation.json';

export interface RunFolder {
  runDir: string;
  /** The folder's name, such as `20261204-101500-milk-tea`. */
  name: string;
  /** Absolute path of the project's finetune.json, when found. */
  projectFile?: string;
  hasEvaluation: boolean;
}

/** Lists the workspace's project files, leaving out the resolved copies inside run folders. */
export async function findProjectFiles(): Promise<string[]> {
  const uris = await vscode.workspace.findFiles(`**/${projectFileName}`, '**/node_modules/**');
  return uris
    .map((uri) => uri.fsPath)
    .filter((file) => !isRunFolder(path.dirname(file)))
    .sort();
}

/** Lists a project's run folders, newest first (their names start with a timestamp). */
export function listRuns(projectFile: string): RunFolder[] {
  const outputDir = path.resolve(path.dirname(projectFile), readOutputSetting(projectFile));
  let names: string[];
  try {
    names = fs.readdirSync(outputDir);
  } catch {
    return [];
  }
  return names
    .map((name) => path.join(outputDir, name))
    .filter(isRunFolder)
    .sort()
    .reverse()
    .map((runDir) => ({
      runDir,
      name: path.basename(runDir),
      projectFile,
      hasEvaluation: fs.existsSync(path.join(runDir, evaluationFileName)),
    }));
}

export async function listAllRuns(): Promise<RunFolder[]> {
  const projectFiles = await findProjectFiles();
  return projectFiles.flatMap(listRuns);
}

export function isRunFolder(dir: string): boolean {
  return fs.existsSync(path.join(dir, metricsFileName));
}

/** Finds the finetune.json a run folder belongs to by walking up from the folder holding it. */
export function findProjectFileForRun(runDir: string): string | undefined {
  let dir = path.dirname(runDir);
  for (;;) {
    const candidate = path.join(dir, projectFileName);
    if (fs.existsSync(candidate) && !isRunFolder(dir)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Reads the resolved project the trainer saved in the run folder. */
export function readRunProject(runDir: string): FinetuneProject | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(runDir, projectFileName), 'utf8')) as FinetuneProject;
  } catch {
    return undefined;
  }
}

export function readEvaluation(runDir: string): Evaluation | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(runDir, evaluationFileName), 'utf8')) as Evaluation;
  } catch {
    return undefined;
  }
}

/** Absolute path of the data file a run trained on, resolved against its project's folder. */
export function resolveDataFile(runDir: string, project: FinetuneProject): string {
  if (path.isAbsolute(project.data.file)) return project.data.file;
  const projectFile = findProjectFileForRun(runDir);
  const root = projectFile ? path.dirname(projectFile) : path.dirname(path.dirname(runDir));
  return path.resolve(root, project.data.file);
}

/** Reads the `output` field of a project file without validating the rest. */
function readOutputSetting(projectFile: string): string {
  try {
    const value = (parseJsonc(fs.readFileSync(projectFile, 'utf8')) as { output?: unknown } | undefined)?.output;
    return typeof value === 'string' && value !== '' ? value : 'runs';
  } catch {
    return 'runs';
  }
}
