// Assigning examples to train, validation and test.
//
// A row's split comes from a seeded hash of its normalised text, not from its position or from the other
// rows, so appending rows leaves existing rows where they were, and identical normalised texts always
// share a split. A deterministic fix-up then makes sure every class with enough examples reaches
// validation and test. The fix-up is the one step that looks at other rows (see coverClasses).
import { UserInputError } from '../errors';
import { t } from '../l10n';
import type { SplitConfig } from '../project/types';
import { normalizeForDuplicates } from './normalize';
import type { SplitName } from './types';

/** A class with at least this many examples gets at least one in validation and one in test. */
export const minExamplesForEverySplit = 10;

export const splitNames: readonly SplitName[] = ['train', 'validation', 'test'];

export interface SplitInput {
  row: number;
  text: string;
  label: number;
}

export interface SplitResult {
  /** The split of each example, in input order. */
  splits: SplitName[];
  /** Rows that the class coverage fix-up moved away from the split their hash gave, in input order. */
  movedRows: number[];
}

/** One normalised text and the examples that share it. */
interface Group {
  key: string;
  /** Hash of the key, uniform in [0, 1). */
  position: number;
  split: SplitName;
  members: number[];
  moved: boolean;
}

/** Assigns each example to a split; see the file header for the guarantees. */
export function assignSplits(examples: readonly SplitInput[], config: SplitConfig): SplitResult {
  const bounds = splitBounds(config);
  const seed = Math.trunc(config.seed) >>> 0;

  const groups = new Map<string, Group>();
  const groupOf: Group[] = [];
  examples.forEach((example, index) => {
    const key = normalizeForDuplicates(example.text);
    let group = groups.get(key);
    if (!group) {
      const position = murmurHash3(Buffer.from(key, 'utf8'), seed) / 2 ** 32;
      group = { key, position, split: splitAt(position, bounds), members: [], moved: false };
      groups.set(key, group);
    }
    group.members.push(index);
    groupOf.push(group);
  });

  coverClasses([...groups.values()], examples, bounds);

  const splits = groupOf.map((group) => group.split);
  const movedRows = examples.flatMap((example, index) => (groupOf[index].moved ? [example.row] : []));
  return { splits, movedRows };
}

/** Groups items by split, keeping input order within each split. */
export function partitionBySplit<T>(items: readonly T[], splits: readonly SplitName[]): Record<SplitName, T[]> {
  const parts: Record<SplitName, T[]> = { train: [], validation: [], test: [] };
  items.forEach((item, index) => parts[splits[index]].push(item));
  return parts;
}

/**
 * MurmurHash3, x86 32-bit variant, of `bytes` with `seed`. Chosen because it is fast, well mixed and
 * has implementations in every language, so a split can be reproduced outside this product.
 */
export function murmurHash3(bytes: Uint8Array, seed: number): number {
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  const length = bytes.length;
  let hash = seed | 0;
  let i = 0;

  for (; i + 4 <= length; i += 4) {
    let k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    hash ^= k;
    hash = (hash << 13) | (hash >>> 19);
    hash = (Math.imul(hash, 5) + 0xe6546b64) | 0;
  }

  const tail = length & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= bytes[i + 2] << 16;
    if (tail >= 2) k ^= bytes[i + 1] << 8;
    k ^= bytes[i];
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    hash ^= k;
  }

  hash ^= length;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** Each split's interval [low, high) of hash positions, from the ratios scaled to sum to 1. */
type SplitBounds = Record<SplitName, { low: number; high: number; ratio: number }>;

function splitBounds(config: SplitConfig): SplitBounds {
  const ratios = [config.train, config.validation, config.test];
  const total = ratios.reduce((sum, ratio) => sum + ratio, 0);
  if (ratios.some((ratio) => !Number.isFinite(ratio) || ratio < 0) || !(total > 0)) {
    throw new UserInputError(
      t('The split ratios {0}, {1} and {2} are invalid. Set split.train, split.validation and split.test in finetune.json to numbers of at least 0 that add up to 1.', config.train, config.validation, config.test),
      { field: 'split' },
    );
  }
  const train = config.train / total;
  const validation = config.validation / total;
  return {
    train: { low: 0, high: train, ratio: train },
    validation: { low: train, high: train + validation, ratio: validation },
    test: { low: train + validation, high: 1, ratio: config.test / total },
  };
}

function splitAt(position: number, bounds: SplitBounds): SplitName {
  if (position < bounds.train.high) return 'train';
  if (position < bounds.validation.high || bounds.test.ratio === 0) return 'validation';
  return 'test';
}

/**
 * Makes every class with at least minExamplesForEverySplit examples present in validation and in test
 * (when their ratio is above 0). Classes are handled in id order. For each split that a class is
 * missing from, one group containing the class moves there. The group comes from train when train keeps
 * another example of the class after the move, else from the other evaluation split on the same
 * condition. The group chosen is the one whose hash position lies nearest to the target split's
 * interval, with ties broken by the normalised text. So the choice depends only on the data and the
 * seed, and at most one group moves per missing class and split.
 *
 * NOTE: this is the one place where appending rows can move an existing row. A group moved here returns
 * to its hashed split once appended rows bring the class into the target split on their own, and a
 * newly appended text can lie nearer to the interval than the group moved before. A class whose examples
 * share fewer than three distinct texts cannot reach every split, so it gets only the moves possible.
 */
function coverClasses(groups: Group[], examples: readonly SplitInput[], bounds: SplitBounds): void {
  const counts = new Map<number, Record<SplitName, number>>();
  const countOf = (label: number) => {
    let count = counts.get(label);
    if (!count) counts.set(label, (count = { train: 0, validation: 0, test: 0 }));
    return count;
  };
  for (const group of groups) for (const member of group.members) countOf(examples[member].label)[group.split]++;

  const labels = [...counts.keys()].sort((a, b) => a - b);
  for (const label of labels) {
    const count = countOf(label);
    if (count.train + count.validation + count.test < minExamplesForEverySplit) continue;

    for (const target of ['validation', 'test'] as const) {
      if (bounds[target].ratio === 0 || count[target] > 0) continue;
      const donors: SplitName[] = ['train', target === 'validation' ? 'test' : 'validation'];
      for (const donor of donors) {
        const group = nearestGroup(groups, examples, label, donor, count[donor], bounds[target]);
        if (!group) continue;
        for (const member of group.members) {
          const memberCount = countOf(examples[member].label);
          memberCount[group.split]--;
          memberCount[target]++;
        }
        group.split = target;
        group.moved = true;
        break;
      }
    }
  }
}

/** Finds the group in `donor` containing `label` nearest to `interval` that leaves `donor` another example of it. */
function nearestGroup(
  groups: Group[],
  examples: readonly SplitInput[],
  label: number,
  donor: SplitName,
  donorCount: number,
  interval: { low: number; high: number },
): Group | undefined {
  let best: Group | undefined;
  let bestDistance = Infinity;
  for (const group of groups) {
    if (group.split !== donor || group.moved) continue;
    const labelMembers = group.members.filter((member) => examples[member].label === label).length;
    if (labelMembers === 0 || labelMembers >= donorCount) continue;

    const distance = group.position < interval.low ? interval.low - group.position : Math.max(0, group.position - interval.high);
    if (distance < bestDistance || (distance === bestDistance && best !== undefined && group.key < best.key)) {
      best = group;
      bestDistance = distance;
    }
  }
  return best;
}
