"""A WordPiece vocabulary learned on the training sentences, deterministically, wrapped as a fast tokenizer
(the from-scratch encoders' tokenizer)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import Any

from clinical_ner.data.records import words_of
from clinical_ner.models.encoders.spec import WordLists

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


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
