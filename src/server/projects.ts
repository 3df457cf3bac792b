// The finetune.json files of the workspace and the data files they name. The server uses them to tell
// which open document is a dataset, and with which label map, columns and model to check it.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import { parseProject } from '../shared/project/load';
import type { ProjectProblem } from '../shared/project/problems';
import type { LoadedProject } from '../shared/project/types';

export interface ProjectEntry {
  /** Absolute path of finetune.json. */
  file: string;
  /** Undefined while the project has errors. */
  loaded?: LoadedProject;
  problems: ProjectProblem[];
  /** Absolute path of the data file, when `data.file` could be read even from a project with errors. */
  dataFile?: string;
}

/** Folders never searched for finetune.json: dependencies, version control and run outputs. */
const skippedFolders = new Set(['node_modules', '.git', 'runs', 'dist', 'out', '.vscode-test']);
/** Depth in folders below a workspace folder to which finetune.json files are searched for. */
const maxSearchDepth = 6;

export class ProjectIndex {
  private readonly projects = new Map<string, ProjectEntry>();

  /** Finds every finetune.json under the folders and loads it from disk. */
  scan(folders: readonly string[]): void {
    for (const folder of folders) {
      for (const file of findProjectFiles(folder, 0)) this.load(file);
    }
  }

  /** Loads or reloads one finetune.json, from `text` when given (an open editor) or from disk. */
  load(file: string, text?: string): ProjectEntry | undefined {
    const absolute = path.resolve(file);
    let source = text;
    if (source === undefined) {
      try {
        source = fs.readFileSync(absolute, 'utf8');
      } catch {
        this.projects.delete(absolute);
        return undefined;
      }
    }
    const { loaded, problems } = parseProject(source, absolute);
    const entry: ProjectEntry = { file: absolute, loaded, problems, dataFile: loaded ? path.resolve(loaded.root, loaded.project.data.file) : dataFileOf(source, absolute) };
    this.projects.set(absolute, entry);
    return entry;
  }

  remove(file: string): void {
    this.projects.delete(path.resolve(file));
  }

  get(file: string): ProjectEntry | undefined {
    return this.projects.get(path.resolve(file));
  }

  /** Returns the loaded project that names `dataFile` as its data, the first in path order when several do. */
  projectForData(dataFile: string): LoadedProject | undefined {
    const absolute = path.resolve(dataFile);
    const entries = [...this.projects.values()].sort((a, b) => (a.file < b.file ? -1 : 1));
    return entries.find((entry) => entry.loaded && entry.dataFile === absolute)?.loaded;
  }

  /** Returns every project that names `dataFile`, loaded or not, to re-check finetune.json after a data edit. */
  projectsNaming(dataFile: string): ProjectEntry[] {
    const absolute = path.resolve(dataFile);
    return [...this.projects.values()].filter((entry) => entry.dataFile === absolute);
  }

  all(): ProjectEntry[] {
    return [...this.projects.values()];
  }
}

function findProjectFiles(folder: string, depth: number): string[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(folder, { withFileTypes: true });
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.isFile() && entry.name === 'finetune.json') files.push(path.join(folder, entry.name));
    else if (entry.isDirectory() && depth < maxSearchDepth && !skippedFolders.has(entry.name) && !entry.name.startsWith('.')) {
      files.push(...findProjectFiles(path.join(folder, entry.name), depth + 1));
    }
  }
  return files;
}

/** Reads `data.file` from a project that does not load, so that its data file is still known. */
function dataFileOf(text: string, file: string): string | undefined {
  const tree = parseTree(text, [], { allowTrailingComma: true });
  const node = tree && findNodeAtLocation(tree, ['data', 'file']);
  if (node?.type !== 'string' || typeof node.value !== 'string' || node.value === '') return undefined;
  return path.resolve(path.dirname(file), node.value);
}
