// Stands in for native inference packages that transformers.js imports but Fine-tune Studio never calls
// (it uses transformers.js for tokenizers only). Any real use fails loudly instead of silently.
'use strict';
module.exports = new Proxy(
  {},
  {
    get(_target, property) {
      if (property === '__esModule' || property === 'default' || typeof property === 'symbol') return undefined;
      throw new Error(`${String(property)}: this build of Fine-tune Studio does not include ONNX Runtime or sharp`);
    },
  },
);
