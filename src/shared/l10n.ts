// Localisation for code outside the extension host (trainer, CLI, language server) and for shared code.
// Messages are English source strings; translations live in l10n/<locale>/*.json fragments, merged at
// build time into l10n/bundle.l10n.<locale>.json, which vscode.l10n also reads in the extension host.
// The bundled trainer and server in dist/ find l10n/ through packageRoot().
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as l10n from '@vscode/l10n';

export const t = l10n.t;

/** Locales that have a translation bundle. English needs none: the source strings are English. */
export const translatedLocales = ['zh-cn'] as const;

/**
 * Loads the translation bundle for `locale` (for example `zh-cn`), or for the locale the environment
 * names when `locale` is omitted. Unknown locales fall back to English.
 */
export function initL10n(locale: string | undefined = detectLocale()): string {
  const normalized = normalizeLocale(locale);
  if (!(translatedLocales as readonly string[]).includes(normalized)) {
    l10n.config({ contents: {} });
    return 'en';
  }
  l10n.config({ contents: loadBundle(normalized) });
  return normalized;
}

/**
 * Merges the fragments l10n/<locale>/*.json in a source checkout; a packaged extension ships only the
 * bundle merged at build time, l10n/bundle.l10n.<locale>.json.
 */
export function loadBundle(locale: string, root = packageRoot()): Record<string, string> {
  const folder = path.join(root, 'l10n', locale);
  if (fs.existsSync(folder)) {
    const bundle: Record<string, string> = {};
    for (const name of fs.readdirSync(folder).sort()) {
      if (name.endsWith('.json')) Object.assign(bundle, JSON.parse(fs.readFileSync(path.join(folder, name), 'utf8')));
    }
    return bundle;
  }
  const merged = path.join(root, 'l10n', `bundle.l10n.${locale}.json`);
  return fs.existsSync(merged) ? (JSON.parse(fs.readFileSync(merged, 'utf8')) as Record<string, string>) : {};
}

/** Picks the locale from FINETUNE_LOCALE, VS Code's NLS config, then the POSIX locale variables. */
export function detectLocale(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FINETUNE_LOCALE) return env.FINETUNE_LOCALE;
  if (env.VSCODE_NLS_CONFIG) {
    try {
      const config = JSON.parse(env.VSCODE_NLS_CONFIG) as { locale?: string };
      if (config.locale) return config.locale;
    } catch {
      // A malformed value is ignored: the POSIX variables still name a locale.
    }
  }
  return env.LC_ALL || env.LC_MESSAGES || env.LANG || 'en';
}

/** Turns `zh_CN.UTF-8`, `zh-Hans` or `zh-CN` into `zh-cn`. */
export function normalizeLocale(locale: string | undefined): string {
  const base = (locale ?? 'en').split('.')[0].replace(/_/g, '-').toLowerCase();
  if (base === 'zh' || base === 'zh-cn' || base === 'zh-hans' || base === 'zh-sg' || base.startsWith('zh-hans-')) return 'zh-cn';
  return base;
}

/** Finds the folder holding this package's package.json, from source (src/...) or a bundle (dist/). */
export function packageRoot(start = __dirname): string {
  let dir = start;
  for (;;) {
    const manifest = path.join(dir, 'package.json');
    if (fs.existsSync(manifest)) {
      try {
        if ((JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string }).name === 'finetune-studio') return dir;
      } catch {
        // Not ours; keep walking up.
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`package.json of finetune-studio not found above ${start}`);
    dir = parent;
  }
}
