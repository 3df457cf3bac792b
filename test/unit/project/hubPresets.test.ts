import * as assert from 'node:assert/strict';
import { findHubModelPreset, hubModelPresets, type HubModelPreset } from '../../../src/shared/project/hubPresets';
import { parseHubId } from '../../../src/trainer/hub/resolve';

/** Counts parameters from config.json fields: embeddings, layers and the final or pooler layer. */
function countParameters(preset: HubModelPreset): number {
  const architecture = preset.architecture;
  if (architecture.model_type === 'bert') {
    const { hidden_size: h, intermediate_size: i, num_hidden_layers: layers } = architecture;
    const embeddings = (architecture.vocab_size + architecture.max_position_embeddings + architecture.type_vocab_size) * h + 2 * h;
    const layer = 4 * (h * h + h) + 2 * h * i + i + h + 4 * h;
    const pooler = h * h + h;
    return embeddings + layers * layer + pooler;
  }
  const { n_embd: h, n_layer: layers } = architecture;
  const embeddings = (architecture.vocab_size + architecture.n_positions) * h;
  const layer = 4 * h * h + 4 * h + 8 * h * h + 5 * h + 4 * h;
  return embeddings + layers * layer + 2 * h;
}

describe('hub model presets', () => {
  it('cover the models the picker promises', () => {
    const ids = hubModelPresets.map((preset) => preset.id);

    assert.deepEqual(ids, ['bert-base-chinese', 'hfl/chinese-roberta-wwm-ext', 'hfl/rbt3', 'uer/chinese_roberta_L-4_H-256', 'uer/gpt2-chinese-cluecorpussmall']);
    for (const id of ids) assert.equal(parseHubId(id).repoId, id);
    assert.equal(findHubModelPreset('hfl/rbt3')?.architecture.model_type, 'bert');
    assert.equal(findHubModelPreset('no/such-model'), undefined);
  });

  it('agree with their architecture', () => {
    for (const preset of hubModelPresets) {
      const counted = countParameters(preset) / 1e6;
      assert.ok(Math.abs(counted - preset.parametersMillions) / counted < 0.1, `${preset.id}: ${counted.toFixed(1)} M counted`);
      // float32 weights: 4 bytes a parameter, plus pretraining heads and tokenizer files.
      const floatMb = counted * 4;
      assert.ok(Math.abs(preset.downloadSizeMb - floatMb) / floatMb < 0.15, `${preset.id}: ${floatMb.toFixed(0)} MB of float32`);
    }
  });

  it('rank CPU speed by compute per token', () => {
    const order = { fast: 0, medium: 1, slow: 2 };
    const encoders = hubModelPresets.filter((preset) => preset.family === 'bert');
    const sorted = [...encoders].sort((a, b) => a.parametersMillions - b.parametersMillions);

    for (let i = 1; i < sorted.length; i++) assert.ok(order[sorted[i].cpuSpeed] >= order[sorted[i - 1].cpuSpeed], sorted[i].id);
  });
});
