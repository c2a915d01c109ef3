"""Encoders: Hugging Face models from a hub id or a local folder (one code path; package sources and the
folders the pipeline builds are resolved to folders before they get here), the from-scratch
DistilBERT-architecture encoder with a WordPiece vocabulary trained on the training sentences, and the
word + character BiLSTM. Masked-LM pre-training (stand-ins, task adaptation) is in `models.pretraining`;
the kinds of source in `models.encoder_kinds`."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

import torch

from clinical_ner.data.records import Sentence, SettingsRecord, words_of
from clinical_ner.models.bilstm import BILSTM, build_bilstm_encoder, is_bilstm_folder, load_bilstm
from clinical_ner.models.encoder_kinds import kind_of, resolve_source
from clinical_ner.models.shipped import shipped_config

SCRATCH = "scratch"
SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")

WordLists = Iterable[Sentence | Sequence[str]]


class EncoderUnavailableError(RuntimeError):
    """An encoder named by a hub id could not be loaded (no network, no cache, unknown id)."""


@dataclass
class EncoderSpec(SettingsRecord):
    """Where an encoder comes from.

    `source` is a Hugging Face hub id (``bert-base-cased``), a local folder written by ``save_pretrained``,
    or ``"scratch"``: a DistilBERT-architecture model with the sizes below, randomly initialised, with a
    WordPiece vocabulary (at most `vocab_size` entries) trained on the training sentences only.
    The sizes are used only for ``scratch``; defaults are those of distilbert-base-cased. With
    ``architecture_of`` (a hub id whose settings ship in ``clinical_ner/architectures``, e.g.
    ``bert-base-cased``), the scratch encoder is that architecture, any model type, at its full size
    (vocabulary included), with random weights: the paper-size smoke run's models. ``"bilstm"``
    builds the word + character BiLSTM of ``models.bilstm`` from the training sentences (``dim``: word
    embedding size, ``hidden_dim``: LSTM units per direction, ``n_layers``, ``vocab_size``: words kept).
    """

    kind = "encoder setting"

    name: str
    source: str
    n_layers: int = 6
    dim: int = 768
    n_heads: int = 12
    hidden_dim: int = 3072
    vocab_size: int = 28996
    max_position_embeddings: int = 512
    lowercase: bool = False
    tokenizer: str = ""          # scratch only: hub id or folder of a tokenizer to use instead of a learned WordPiece
    architecture_of: str = ""    # scratch only: a shipped hub id whose whole architecture replaces the sizes above

    @property
    def is_scratch(self) -> bool:
        """Built from the training split (no pre-training): ``scratch`` or ``bilstm``."""
        return kind_of(self.source).from_training_split



@contextlib.contextmanager
def quiet_transformers() -> Iterator[None]:
    """Silence the progress bars and info logging of transformers for the duration of a block (nothing to
    silence, and nothing imported, when transformers is not loaded: BiLSTM models)."""
    if "transformers" not in sys.modules:
        yield
        return
    from transformers.utils import logging as hf_logging

    bars = hf_logging.is_progress_bar_enabled()
    level = hf_logging.get_verbosity()
    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    try:
        yield
    finally:
        hf_logging.set_verbosity(level)
        if bars:
            hf_logging.enable_progress_bar()


def is_local_source(source: str | Path) -> bool:
    """True when `source` names an existing local folder or a package's (the only thing `load_pretrained`
    branches on)."""
    return Path(resolve_source(str(source))).expanduser().is_dir()


def _auto_classes() -> tuple[Any, Any]:
    """(AutoModel, AutoTokenizer): the only classes used to load pre-trained encoders."""
    from transformers import AutoModel, AutoTokenizer

    return AutoModel, AutoTokenizer


def load_pretrained(source: str | Path, tokenizer_only: bool = False) -> tuple[Any, Any]:
    """Load (model, tokenizer) with AutoModel/AutoTokenizer from a hub id or a local folder (with
    `tokenizer_only`, (None, tokenizer)).

    One code path: a local folder is passed as a path with ``local_files_only=True``; anything else is
    treated as a hub id (served from the local Hugging Face cache when offline). A hub id that cannot be
    fetched raises `EncoderUnavailableError` explaining how to provide the weights.
    """
    source = resolve_source(str(source))
    local = is_local_source(source)
    if local and is_bilstm_folder(Path(source).expanduser()):
        return load_bilstm(Path(source).expanduser())
    auto_model, auto_tokenizer = _auto_classes()
    location = str(Path(source).expanduser()) if local else str(source)
    kwargs: dict[str, Any] = {"local_files_only": True} if local else {}
    try:
        with quiet_transformers():
            tokenizer = auto_tokenizer.from_pretrained(location, **kwargs)
            model = None if tokenizer_only else auto_model.from_pretrained(location, **kwargs)
    except (OSError, ValueError) as error:
        if local:
            raise EncoderUnavailableError(
                f"the folder {location!r} does not hold a loadable Hugging Face encoder "
                f"(expected config.json, weights and tokenizer files written by save_pretrained): {error}"
            ) from error
        raise EncoderUnavailableError(
            f"could not load the encoder {location!r} from the Hugging Face hub or the local cache "
            f"(no network access or unknown id). Where there is network access, run "
            f"`huggingface-cli download {location}` (fills the cache this job reads; copy the cache to this "
            f"machine if needed), or download it to a local folder with `huggingface-cli download {location} "
            f"--local-dir models/{location.replace('/', '--')}` and set the encoder source to that folder. "
            f"Original error: {error}"
        ) from error
    return model, tokenizer


def learn_wordpiece_vocab(
    words: Iterable[str], vocab_size: int, special_tokens: Sequence[str] = SPECIAL_TOKENS, prefix: str = "##"
) -> list[str]:
    """A WordPiece vocabulary learned like the `tokenizers` WordPiece trainer (BPE merges over the
    characters of each word, continuation pieces prefixed with ``##``), but deterministic: ties are
    broken by the pieces themselves. (The `tokenizers` trainer breaks ties in hash-map order, so two runs
    on the same data give different vocabularies, which would break seeded reproducibility.)

    Order: special tokens, the alphabet (sorted; the most frequent characters when it does not fit), then
    the merged pieces in the order they were learned.
    """
    import heapq
    from collections import Counter

    counts = Counter(w for w in words if w)
    vocab: list[str] = list(dict.fromkeys(special_tokens))
    known = set(vocab)
    word_list = sorted(counts)
    symbols = [[w[0]] + [prefix + c for c in w[1:]] for w in word_list]
    freq = [counts[w] for w in word_list]
    alphabet_counts: Counter[str] = Counter()
    for syms, f in zip(symbols, freq):
        for sym in syms:
            alphabet_counts[sym] += f
    room = max(0, vocab_size - len(vocab))
    alphabet = sorted(alphabet_counts, key=lambda a: (-alphabet_counts[a], a))[:room]
    for sym in sorted(alphabet):
        if sym not in known:
            vocab.append(sym)
            known.add(sym)
    allowed = set(alphabet)
    pair_count: Counter[tuple[str, str]] = Counter()
    pair_words: dict[tuple[str, str], set[int]] = {}
    for i, syms in enumerate(symbols):
        for pair in pairwise(syms):
            if pair[0] in allowed and pair[1] in allowed:
                pair_count[pair] += freq[i]
                pair_words.setdefault(pair, set()).add(i)
    heap = [(-c, pair) for pair, c in pair_count.items()]
    heapq.heapify(heap)
    while len(vocab) < vocab_size and heap:
        negative, pair = heapq.heappop(heap)
        if pair_count.get(pair, 0) != -negative or -negative <= 0:
            continue  # stale entry
        a, b = pair
        merged = a + (b[len(prefix):] if b.startswith(prefix) else b)
        if merged not in known:
            vocab.append(merged)
            known.add(merged)
        allowed.add(merged)
        changed: set[tuple[str, str]] = set()
        for i in sorted(pair_words.pop(pair, ())):
            syms, f = symbols[i], freq[i]
            for old in pairwise(syms):
                if old in pair_count:
                    pair_count[old] -= f
                    changed.add(old)
            out: list[str] = []
            k = 0
            while k < len(syms):
                if k + 1 < len(syms) and syms[k] == a and syms[k + 1] == b:
                    out.append(merged)
                    k += 2
                else:
                    out.append(syms[k])
                    k += 1
            symbols[i] = out
            for new in pairwise(out):
                if new[0] in allowed and new[1] in allowed:
                    pair_count[new] += f
                    pair_words.setdefault(new, set()).add(i)
                    changed.add(new)
        pair_count.pop(pair, None)
        for p in sorted(changed):
            if p != pair and pair_count.get(p, 0) > 0:
                heapq.heappush(heap, (-pair_count[p], p))
    return vocab


def train_wordpiece(
    sentences: WordLists, vocab_size: int, lowercase: bool = False, max_length: int = 512
) -> Any:
    """Train a WordPiece vocabulary on the words of `sentences` and wrap it as a fast tokenizer.

    The words are already tokenised; the BERT normaliser and BertPreTokenizer (which only splits them
    further at punctuation) are applied exactly as at encoding time, then `learn_wordpiece_vocab` builds
    a deterministic vocabulary of at most `vocab_size` entries. Special tokens: [PAD] [UNK] [CLS] [SEP]
    [MASK] (ids 0-4); single sequences are encoded as ``[CLS] words [SEP]``.
    """
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast

    normalizer = normalizers.BertNormalizer(
        clean_text=True, handle_chinese_chars=True, strip_accents=False if not lowercase else None,
        lowercase=lowercase,
    )
    pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    pieces: list[str] = []
    for sentence in sentences:
        for word in words_of(sentence):
            normal = normalizer.normalize_str(word)
            pieces.extend(piece for piece, _ in pre_tokenizer.pre_tokenize_str(normal))
    if not pieces:
        raise ValueError("cannot train a WordPiece vocabulary: no training words")
    vocab = learn_wordpiece_vocab(pieces, vocab_size)
    backend = Tokenizer(models.WordPiece(
        vocab={token: i for i, token in enumerate(vocab)}, unk_token="[UNK]", max_input_chars_per_word=100,
    ))
    backend.normalizer = normalizer
    backend.pre_tokenizer = pre_tokenizer
    cls_id, sep_id = backend.token_to_id("[CLS]"), backend.token_to_id("[SEP]")
    backend.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls_id), ("[SEP]", sep_id)],
    )
    backend.decoder = decoders.WordPiece(prefix="##")
    return PreTrainedTokenizerFast(
        tokenizer_object=backend, unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]",
        sep_token="[SEP]", mask_token="[MASK]", model_max_length=max_length,
    )


def build_scratch_encoder(spec: EncoderSpec, train_sentences: WordLists, seed: int = 0) -> tuple[Any, Any]:
    """An encoder with `spec`'s architecture, randomly initialised (seeded), and a WordPiece tokenizer
    trained on `train_sentences` only (or `spec.tokenizer`, e.g. the study's distilbert-base-cased
    tokenizer). The architecture is DistilBERT with `spec`'s sizes, or the shipped settings of
    `spec.architecture_of`; the embedding has the architecture's size even when fewer pieces were learned."""
    from transformers import AutoModel, DistilBertConfig

    if spec.architecture_of:
        config = shipped_config(spec.architecture_of)
    else:
        config = DistilBertConfig(
            vocab_size=spec.vocab_size, dim=spec.dim, n_layers=spec.n_layers, n_heads=spec.n_heads,
            hidden_dim=spec.hidden_dim, max_position_embeddings=spec.max_position_embeddings,
        )
    if spec.tokenizer:
        tokenizer = load_pretrained(spec.tokenizer, tokenizer_only=True)[1]
    else:
        tokenizer = train_wordpiece(
            train_sentences, int(config.vocab_size), spec.lowercase, int(config.max_position_embeddings)
        )
    config.vocab_size = max(int(config.vocab_size), len(tokenizer))
    config.pad_token_id = tokenizer.pad_token_id
    torch.manual_seed(seed)
    with quiet_transformers():
        model = AutoModel.from_config(config)
    return model, tokenizer


def load_encoder(spec: EncoderSpec, train_sentences: WordLists | None = None, seed: int = 0) -> tuple[Any, Any]:
    """(model, tokenizer) for `spec`: from scratch (needs `train_sentences`), else `load_pretrained`."""
    if spec.is_scratch:
        if train_sentences is None:
            raise ValueError(f"encoder {spec.name!r} is built from scratch: training sentences are required")
        if spec.source == BILSTM:
            return build_bilstm_encoder([words_of(s) for s in train_sentences], spec.dim, spec.hidden_dim,
                                        spec.n_layers, spec.vocab_size, seed=seed)
        return build_scratch_encoder(spec, train_sentences, seed=seed)
    return load_pretrained(spec.source)
