"""The BERT classifier of src/trainer/models/bert in plain PyTorch, for bench/parity.ts.

Reads config.json and model.safetensors written by the TF.js trainer (safetensors decoded by hand,
so only torch is needed), prints the logits for the given batch and the training throughput
(forward, backward and AdamW) as one JSON object on stdout.

Usage: /usr/bin/python3 bench/pytorch-reference.py MODEL_FOLDER INPUTS_JSON STEPS
"""
import json
import math
import struct
import sys
import time

import torch
import torch.nn.functional as F

# Debian's python3-torch starts with one thread; the TF.js comparison runs on a 2-core machine.
torch.set_num_threads(2)


def read_safetensors(path):
    with open(path, "rb") as file:
        (header_length,) = struct.unpack("<Q", file.read(8))
        header = json.loads(file.read(header_length))
        data = file.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        assert entry["dtype"] == "F32", f"{name}: only F32 is expected, got {entry['dtype']}"
        begin, end = entry["data_offsets"]
        values = torch.frombuffer(bytearray(data[begin:end]), dtype=torch.float32)
        tensors[name] = values.reshape(entry["shape"]).clone()
    return tensors


class Bert(torch.nn.Module):
    """BertForSequenceClassification's computation, with parameters named as its state dict."""

    def __init__(self, config, weights):
        super().__init__()
        self.config = config
        self.params = torch.nn.ParameterDict({name.replace(".", "/"): torch.nn.Parameter(value) for name, value in weights.items()})

    def w(self, name):
        return self.params[name.replace(".", "/")]

    def dense(self, x, prefix):
        return F.linear(x, self.w(prefix + ".weight"), self.w(prefix + ".bias"))

    def layer_norm(self, x, prefix):
        return F.layer_norm(x, x.shape[-1:], self.w(prefix + ".weight"), self.w(prefix + ".bias"), self.config["layer_norm_eps"])

    def forward(self, input_ids, attention_mask, training):
        c = self.config
        batch, seq = input_ids.shape
        hidden = c["hidden_size"]
        heads = c["num_attention_heads"]
        head_size = hidden // heads
        p_hidden = c["hidden_dropout_prob"] if training else 0.0
        p_attention = c["attention_probs_dropout_prob"] if training else 0.0

        x = F.embedding(input_ids, self.w("bert.embeddings.word_embeddings.weight"))
        x = x + self.w("bert.embeddings.position_embeddings.weight")[:seq]
        x = x + self.w("bert.embeddings.token_type_embeddings.weight")[0]
        x = F.dropout(self.layer_norm(x, "bert.embeddings.LayerNorm"), p_hidden, training)

        mask_bias = ((1.0 - attention_mask.float()) * -10000.0).view(batch, 1, 1, seq)
        for layer in range(c["num_hidden_layers"]):
            prefix = f"bert.encoder.layer.{layer}"

            def split(t):
                return t.view(batch, seq, heads, head_size).transpose(1, 2)

            q = split(self.dense(x, prefix + ".attention.self.query"))
            k = split(self.dense(x, prefix + ".attention.self.key"))
            v = split(self.dense(x, prefix + ".attention.self.value"))
            scores = q @ k.transpose(-1, -2) / math.sqrt(head_size) + mask_bias
            probabilities = F.dropout(scores.softmax(-1), p_attention, training)
            context = (probabilities @ v).transpose(1, 2).reshape(batch, seq, hidden)
            attention = F.dropout(self.dense(context, prefix + ".attention.output.dense"), p_hidden, training)
            x = self.layer_norm(attention + x, prefix + ".attention.output.LayerNorm")
            intermediate = F.gelu(self.dense(x, prefix + ".intermediate.dense"))
            output = F.dropout(self.dense(intermediate, prefix + ".output.dense"), p_hidden, training)
            x = self.layer_norm(output + x, prefix + ".output.LayerNorm")

        pooled = torch.tanh(self.dense(x[:, 0], "bert.pooler.dense"))
        return self.dense(F.dropout(pooled, p_hidden, training), "classifier")


def main():
    folder, inputs_path, steps = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(f"{folder}/config.json", encoding="utf-8") as file:
        config = json.load(file)
    with open(inputs_path, encoding="utf-8") as file:
        inputs = json.load(file)
    batch, seq = inputs["batchSize"], inputs["seqLength"]
    input_ids = torch.tensor(inputs["inputIds"], dtype=torch.long).view(batch, seq)
    attention_mask = torch.tensor(inputs["attentionMask"], dtype=torch.long).view(batch, seq)
    labels = torch.tensor(inputs["labels"], dtype=torch.long)

    model = Bert(config, read_safetensors(f"{folder}/model.safetensors"))
    with torch.no_grad():
        logits = model(input_ids, attention_mask, training=False)

    decay = [p for n, p in model.params.items() if not (n.endswith("/bias") or "LayerNorm" in n)]
    no_decay = [p for n, p in model.params.items() if n.endswith("/bias") or "LayerNorm" in n]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], lr=2e-5)

    def step():
        optimizer.zero_grad()
        loss = F.cross_entropy(model(input_ids, attention_mask, training=True), labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()

    step()  # warm-up, not timed
    start = time.perf_counter()
    for _ in range(steps):
        step()
    seconds = time.perf_counter() - start

    print(json.dumps({
        "logits": logits.flatten().tolist(),
        "samplesPerSecond": steps * batch / seconds,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
