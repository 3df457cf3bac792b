// A minimal LSP client for tests: starts the real language server (src/server/server.ts through tsx)
// over stdio, opens documents, waits for their diagnostics and applies the edits the server returns.

import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { CodeAction, Diagnostic, Hover, PublishDiagnosticsParams, TextEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { DatasetStats } from '../../../src/shared/protocol/server';

const repoRoot = path.resolve(__dirname, '../../..');
const serverEntry = path.join(repoRoot, 'src/server/server.ts');
/** Set FINETUNE_TEST_BUNDLE=1 to test the bundle that `npm run build` wrote instead of the sources. */
const serverArgs = process.env.FINETUNE_TEST_BUNDLE === '1' ? [path.join(repoRoot, 'dist/server.js'), '--stdio'] : ['--import', 'tsx', serverEntry, '--stdio'];

export const sharedData = path.resolve(repoRoot, '../shared/data');

/** Writes files into a fresh temporary workspace folder and returns its path. */
export function makeWorkspace(files: Record<string, string | Buffer>): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'finetune-lsp-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(folder, name)), { recursive: true });
    fs.writeFileSync(path.join(folder, name), content);
  }
  return folder;
}

/** finetune.json for the milk-tea fixtures, with overrides merged in at the top level. */
export function projectJson(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify(
    {
      name: 'milk-tea',
      data: { file: 'reviews.csv', textColumn: 'review', labelColumn: 'label' },
      labels: { 差评: 0, 好评: 1, 中性: 2 },
      ...overrides,
    },
    null,
    2,
  );
}

/** Returns the text of a diagnostic's message, which LSP 3.18 also allows as Markdown. */
export function messageOf(diagnostic: Diagnostic): string {
  return typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value;
}

export class TestClient {
  readonly documents = new Map<string, TextDocument>();
  readonly stats = new Map<string, DatasetStats>();
  private readonly diagnostics = new Map<string, PublishDiagnosticsParams>();
  private readonly waiters: (() => void)[] = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly connection: MessageConnection,
    readonly folder: string,
  ) {
    connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      this.diagnostics.set(params.uri, params);
      this.notify();
    });
    connection.onNotification('finetune/datasetStats', (params: DatasetStats) => {
      this.stats.set(params.uri, params);
      this.notify();
    });
    connection.onNotification('window/logMessage', () => undefined);
  }

  static async start(folder: string, locale = 'en'): Promise<TestClient> {
    const child = spawn(process.execPath, serverArgs, { cwd: repoRoot, stdio: ['pipe', 'pipe', 'inherit'] });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    connection.listen();
    const client = new TestClient(child, connection, folder);
    const uri = pathToFileURL(folder).href;
    await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: uri,
      workspaceFolders: [{ uri, name: 'workspace' }],
      capabilities: {},
      initializationOptions: { locale },
    });
    await connection.sendNotification('initialized', {});
    return client;
  }

  uri(name: string): string {
    return pathToFileURL(path.join(this.folder, name)).href;
  }

  /** Opens a workspace file; `text` replaces what is on disk, as an editor that decoded it would. */
  async open(name: string, text?: string): Promise<TextDocument> {
    const uri = this.uri(name);
    const content = text ?? fs.readFileSync(path.join(this.folder, name), 'utf8');
    const languageId = name.endsWith('.json') ? 'json' : 'plaintext';
    const document = TextDocument.create(uri, languageId, 1, content);
    this.documents.set(uri, document);
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text: content } });
    return document;
  }

  /** Replaces a document's whole text with the next version. */
  async change(uri: string, text: string): Promise<TextDocument> {
    const old = this.documents.get(uri)!;
    const document = TextDocument.create(uri, old.languageId, old.version + 1, text);
    this.documents.set(uri, document);
    await this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: document.version },
      contentChanges: [{ text }],
    });
    return document;
  }

  /** Applies a WorkspaceEdit the server returned to the open document and sends the change. */
  async applyEdit(edit: WorkspaceEdit): Promise<TextDocument> {
    const change = edit.documentChanges?.[0];
    if (!change || !('textDocument' in change)) throw new Error('edit has no text document change');
    const document = this.documents.get(change.textDocument.uri)!;
    if (change.textDocument.version !== null && change.textDocument.version !== document.version) {
      throw new Error(`edit for version ${change.textDocument.version}, document is at ${document.version}`);
    }
    const text = TextDocument.applyEdits(document, change.edits as TextEdit[]);
    return this.change(document.uri, text);
  }

  /** Waits for the diagnostics of the document's current version. */
  async diagnosticsFor(uri: string): Promise<Diagnostic[]> {
    const version = this.documents.get(uri)?.version;
    const published = await this.waitFor(() => {
      const params = this.diagnostics.get(uri);
      if (!params) return undefined;
      if (version !== undefined && params.version !== undefined && params.version !== version) return undefined;
      return params;
    });
    return published.diagnostics;
  }

  /** Waits for diagnostics of a file that is not open (such as finetune.json checked from disk). */
  async publishedFor(uri: string, accept: (diagnostics: Diagnostic[]) => boolean = () => true): Promise<Diagnostic[]> {
    const published = await this.waitFor(() => {
      const params = this.diagnostics.get(uri);
      return params && accept(params.diagnostics) ? params : undefined;
    });
    return published.diagnostics;
  }

  async codeActions(uri: string, diagnostic: Diagnostic): Promise<CodeAction[]> {
    return this.connection.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic] },
    });
  }

  async hover(uri: string, line: number, character = 0): Promise<Hover | null> {
    return this.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line, character } });
  }

  async stop(): Promise<void> {
    try {
      await this.connection.sendRequest('shutdown');
      await this.connection.sendNotification('exit');
    } finally {
      this.connection.dispose();
      this.child.kill();
      fs.rmSync(this.folder, { recursive: true, force: true });
    }
  }

  private notify(): void {
    for (const waiter of this.waiters.splice(0)) waiter();
  }

  private async waitFor<T>(probe: () => T | undefined, timeoutMs = 20000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error('timed out waiting for the language server');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}
