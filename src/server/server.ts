// Entry point of the language server (dist/server.js). The extension starts it over IPC; tests start it
// over stdio. It checks the data files that a finetune.json in the workspace names and finetune.json
// itself, and serves label lenses, label edits, quick fixes and hovers for those data files.

import * as fs from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeAction,
  CodeActionKind,
  createConnection,
  type Diagnostic,
  DiagnosticSeverity,
  FileChangeType,
  ProposedFeatures,
  TextDocumentSyncKind,
  TextDocuments,
  type InitializeParams,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { decodeText, encodeText } from '../shared/data/encoding';
import { initL10n, t } from '../shared/l10n';
import {
  convertToUtf8Method,
  datasetLabelsMethod,
  datasetStatsMethod,
  labelEditMethod,
  labelLensesMethod,
  nextUnlabelledMethod,
  type ConvertToUtf8Params,
  type ConvertToUtf8Result,
  type DatasetLabelsParams,
  type DatasetLabelsResult,
  type DatasetStats,
  type LabelEditParams,
  type LabelEditResult,
  type LabelLensesParams,
  type LabelLensesResult,
  type NextUnlabelledParams,
  type NextUnlabelledResult,
} from '../shared/protocol/server';
import { type DatasetIssue } from './checks';
import { labelLenses, labelWriter, nextUnlabelledLine } from './codelens';
import { fixesFor, type TextEdit as OffsetEdit } from './fixes';
import { rowHover } from './hover';
import { predictionForRow } from './predictions';
import { checkProject } from './projectChecks';
import { ProjectIndex } from './projects';
import { DatasetStore, backupFileFor } from './store';

/** Delay after the last keystroke before a document is checked again. */
const checkDelayMs = 250;
/**
 * Maximum diagnostics sent for one document. A file of 100,000 unlabelled rows would otherwise send
 * 100,000 "missing label" items. Quick fixes still see every issue, because they use the full result.
 */
const maxPublishedDiagnostics = 5000;

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const projects = new ProjectIndex();
const store = new DatasetStore(projects);
const pendingChecks = new Map<string, NodeJS.Timeout>();

connection.onInitialize((params: InitializeParams) => {
  const options = (params.initializationOptions ?? {}) as { locale?: string };
  initL10n(options.locale ?? params.locale);
  const folders = (params.workspaceFolders ?? []).map((folder) => fileURLToPath(folder.uri));
  if (folders.length === 0 && params.rootUri) folders.push(fileURLToPath(params.rootUri));
  projects.scan(folders);
  connection.console.info(`Fine-tune Studio language server started: ${projects.all().length} finetune.json file(s) in ${folders.length} folder(s)`);
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      hoverProvider: true,
    },
  };
});

connection.onInitialized(() => {
  for (const entry of projects.all()) publishProject(entry.file);
});

documents.onDidOpen((event) => scheduleCheck(event.document.uri, 0));
documents.onDidChangeContent((event) => scheduleCheck(event.document.uri, checkDelayMs));
documents.onDidClose((event) => {
  store.forget(event.document.uri);
  if (!isProjectUri(event.document.uri)) void connection.sendDiagnostics({ uri: event.document.uri, diagnostics: [] });
  else reloadProjectFromDisk(uriToPath(event.document.uri));
});

connection.onDidChangeWatchedFiles((params) => {
  for (const change of params.changes) {
    const file = uriToPath(change.uri);
    if (!file) continue;
    if (file.endsWith('finetune.json')) {
      if (documents.get(change.uri)) continue;
      if (change.type === FileChangeType.Deleted) {
        projects.remove(file);
        void connection.sendDiagnostics({ uri: change.uri, diagnostics: [] });
      } else {
        reloadProjectFromDisk(file);
      }
      recheckAll();
    } else {
      // A data file changed on disk (converted to UTF-8, rewritten by an import): its encoding may differ.
      store.forgetEncoding(file);
      for (const document of documents.all()) if (uriToPath(document.uri) === file) scheduleCheck(document.uri, 0);
      for (const entry of projects.projectsNaming(file)) publishProject(entry.file);
    }
  }
});

connection.onRequest(labelLensesMethod, (params: LabelLensesParams): LabelLensesResult => {
  const state = stateOf(params.uri);
  if (!state) return { lenses: [] };
  return { lenses: labelLenses(state.dataset, state.loaded.project.labels, params.firstLine, params.lastLine) };
});

connection.onRequest(labelEditMethod, (params: LabelEditParams): LabelEditResult => {
  const state = stateOf(params.uri);
  if (!state) return {};
  const row = state.dataset.rowAtLine(params.line);
  if (!row || row.blank || row.parseError !== undefined || !(params.label in state.loaded.project.labels)) return {};
  const document = documents.get(params.uri)!;
  const written = labelWriter(state.dataset, state.loaded.project.labels)(params.label);
  const edit = toWorkspaceEdit(document, [state.dataset.labelEdit(row, written)]);
  return { edit, nextUnlabelledLine: nextUnlabelledLine(state.dataset, state.loaded.project.labels, row.line, row.index) };
});

connection.onRequest(nextUnlabelledMethod, (params: NextUnlabelledParams): NextUnlabelledResult => {
  const state = stateOf(params.uri);
  if (!state) return {};
  return { line: nextUnlabelledLine(state.dataset, state.loaded.project.labels, params.line) };
});

connection.onRequest(datasetLabelsMethod, (params: DatasetLabelsParams): DatasetLabelsResult => {
  const state = stateOf(params.uri);
  if (!state) return { labels: [] };
  const names: string[] = [];
  for (const [name, id] of Object.entries(state.loaded.project.labels)) names[id] = name;
  return { labels: names };
});

connection.onRequest(convertToUtf8Method, (params: ConvertToUtf8Params): ConvertToUtf8Result => {
  const file = uriToPath(params.uri);
  if (!file) throw new Error(t('Only files on disk can be converted to UTF-8.'));
  const bytes = fs.readFileSync(file);
  const decoded = decodeText(bytes, 'auto', file);
  const backupFile = backupFileFor(file, decoded.encoding);
  fs.copyFileSync(file, backupFile, fs.constants.COPYFILE_EXCL);
  fs.writeFileSync(file, encodeText(decoded.text, 'utf-8', false));
  store.forgetEncoding(file);
  connection.console.info(`Converted ${file} from ${decoded.encoding} to UTF-8; the original is in ${backupFile}`);
  return { backupFile, encoding: decoded.encoding };
});

connection.onCodeAction((params) => {
  const state = stateOf(params.textDocument.uri);
  const document = documents.get(params.textDocument.uri);
  if (!state || !document) return [];
  const check = state.check();
  const actions: CodeAction[] = [];
  const seenTitles = new Set<string>();
  for (const diagnostic of params.context.diagnostics) {
    const issue = findIssue(check.issues, document, diagnostic);
    if (!issue) continue;
    for (const fix of fixesFor(state.dataset, issue, check.issues, state.context, params.textDocument.uri)) {
      if (seenTitles.has(fix.title)) continue;
      seenTitles.add(fix.title);
      const action = CodeAction.create(fix.title, CodeActionKind.QuickFix);
      action.diagnostics = [diagnostic];
      if (fix.preferred) action.isPreferred = true;
      if (fix.command) action.command = { title: fix.title, ...fix.command };
      else action.edit = toWorkspaceEdit(document, fix.edits);
      actions.push(action);
    }
  }
  return actions;
});

connection.onHover((params) => {
  const state = stateOf(params.textDocument.uri);
  if (!state) return null;
  const row = state.dataset.rowAtLine(params.position.line);
  if (!row || row.blank || row.parseError !== undefined) return null;
  const prediction = predictionForRow(state.loaded, row.line + 1);
  return { contents: { kind: 'markdown', value: rowHover(row, state.loaded, state.context.tokenizer, prediction) } };
});

documents.listen(connection);
connection.listen();

function scheduleCheck(uri: string, delayMs: number): void {
  clearTimeout(pendingChecks.get(uri));
  pendingChecks.set(
    uri,
    setTimeout(() => {
      pendingChecks.delete(uri);
      runCheck(uri);
    }, delayMs),
  );
}

function runCheck(uri: string): void {
  const document = documents.get(uri);
  if (!document) return;
  if (isProjectUri(uri)) {
    const file = uriToPath(uri)!;
    projects.load(file, document.getText());
    publishProject(file);
    recheckDataOf(file);
    return;
  }

  const state = stateOf(uri);
  if (!state) return;
  try {
    const { issues, stats } = state.check();
    const message: DatasetStats = { uri, ...stats };
    void connection.sendNotification(datasetStatsMethod, message);
    const diagnostics = issues.slice(0, maxPublishedDiagnostics).map((issue) => toDiagnostic(document, issue));
    void connection.sendDiagnostics({ uri, version: document.version, diagnostics });
  } catch (error) {
    connection.console.error(`Checking ${uri} failed: ${(error as Error).stack ?? String(error)}`);
  }
  const file = uriToPath(uri);
  if (file) for (const entry of projects.projectsNaming(file)) publishProject(entry.file);
}

/** Publishes the checks of one finetune.json, using its open editor's text when it has one. */
function publishProject(file: string): void {
  const entry = projects.get(file);
  if (!entry) return;
  const uri = pathToUri(file);
  const open = documents.get(uri) ?? documents.all().find((document) => uriToPath(document.uri) === file);
  const text = open?.getText() ?? readText(file);
  if (text === undefined) return;
  const dataDocument = entry.dataFile ? documents.all().find((document) => uriToPath(document.uri) === entry.dataFile) : undefined;
  const lineIndex = TextDocument.create(uri, 'json', 0, text);
  try {
    const issues = checkProject(entry, text, dataDocument?.getText());
    const diagnostics: Diagnostic[] = issues.map((issue) => ({
      range: { start: lineIndex.positionAt(issue.offset), end: lineIndex.positionAt(issue.offset + issue.length) },
      severity: issue.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
      source: 'finetune',
      message: issue.message,
    }));
    void connection.sendDiagnostics({ uri: open?.uri ?? uri, diagnostics });
  } catch (error) {
    connection.console.error(`Checking ${file} failed: ${(error as Error).stack ?? String(error)}`);
  }
}

function reloadProjectFromDisk(file: string | undefined): void {
  if (!file) return;
  projects.load(file);
  publishProject(file);
  recheckDataOf(file);
}

function recheckDataOf(projectFile: string): void {
  store.forgetAll();
  const dataFile = projects.get(projectFile)?.dataFile;
  for (const document of documents.all()) if (uriToPath(document.uri) === dataFile) scheduleCheck(document.uri, 0);
}

function recheckAll(): void {
  store.forgetAll();
  for (const document of documents.all()) if (!isProjectUri(document.uri)) scheduleCheck(document.uri, 0);
}

function stateOf(uri: string) {
  const document = documents.get(uri);
  const file = uriToPath(uri);
  if (!document || !file || isProjectUri(uri)) return undefined;
  return store.stateFor(document.uri, file, document.version, document.getText());
}

/** Finds the issue behind a diagnostic the client sent back: same code and same start. */
function findIssue(issues: readonly DatasetIssue[], document: TextDocument, diagnostic: Diagnostic): DatasetIssue | undefined {
  const start = document.offsetAt(diagnostic.range.start);
  return issues.find((issue) => issue.code === diagnostic.code && issue.start === start);
}

function toDiagnostic(document: TextDocument, issue: DatasetIssue): Diagnostic {
  const severity = issue.severity === 'error' ? DiagnosticSeverity.Error : issue.severity === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information;
  return {
    range: { start: document.positionAt(issue.start), end: document.positionAt(issue.end) },
    severity,
    code: issue.code,
    source: 'finetune',
    message: issue.message,
  };
}

function toWorkspaceEdit(document: TextDocument, edits: readonly OffsetEdit[]): WorkspaceEdit {
  return {
    documentChanges: [
      {
        textDocument: { uri: document.uri, version: document.version },
        edits: edits.map((edit) => ({ range: { start: document.positionAt(edit.start), end: document.positionAt(edit.end) }, newText: edit.newText })),
      },
    ],
  };
}

function isProjectUri(uri: string): boolean {
  return uri.endsWith('/finetune.json');
}

function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  return fileURLToPath(uri);
}

function pathToUri(file: string): string {
  return pathToFileURL(file).href;
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
