"""The architecture most n2c2-2018 teams used: a BiLSTM over word and character embeddings, from scratch.

It plugs into ``Tagger`` like any encoder. Its tokenizer turns each word into one WORD id (lower-cased
word vocabulary of the training split; unknown words -> ``[UNK]``) followed by the word's CHARACTER ids
(first ``MAX_CHARS``), so the word id is the word's first sub-word, which the heads label. The encoder
embeds word ids, runs a character CNN (max-pooled within each word) over the character ids, concatenates
both per word, runs a bidirectional LSTM over the words and returns its states at the word positions
(zeros at character positions) as ``last_hidden_state``.

Sizes (``architecture:`` of a ``source: bilstm`` encoder): ``dim`` word-embedding size, ``hidden_dim``
LSTM units per direction, ``n_layers`` LSTM layers, ``vocab_size`` the most frequent words kept; the
character CNN has ``CHAR_FILTERS`` filters of width 3 over ``CHAR_DIM``-d embeddings.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import torch
from torch import nn

BILSTM = "bilstm"
VOCAB_FILE = "bilstm_vocab.json"
CONFIG_FILE = "bilstm_config.json"
WEIGHTS_FILE = "bilstm.pt"
MAX_CHARS = 20
CHAR_DIM = 30
CHAR_FILTERS = 30
PAD, UNK = "[PAD]", "[UNK]"


class _Encoded(dict):
    """What ``alignment`` reads from a tokenizer call: ``input_ids`` and ``word_ids(row)``."""

    def __init__(self, input_ids: list[list[int]], word_ids: list[list[int]]) -> None:
        super().__init__(input_ids=input_ids)
        self._word_ids = word_ids

    def word_ids(self, row: int = 0) -> list[int]:
        return self._word_ids[row]


class WordCharTokenizer:
    """Word id then character ids per word; no special tokens; ids 0 = pad, 1 = unknown word."""

    pad_token_id = 0
    unk_token_id = 1
    cls_token_id = None
    sep_token_id = None
    model_max_length = int(1e30)

    def __init__(self, words: Sequence[str], chars: Sequence[str]) -> None:
        self.words = [PAD, UNK] + [w for w in words if w not in (PAD, UNK)]
        self.chars = [UNK] + list(chars)
        self.word_index = {w: i for i, w in enumerate(self.words)}
        self.char_offset = len(self.words)
        self.char_index = {c: self.char_offset + i for i, c in enumerate(self.chars)}

    @classmethod
    def train(cls, sentences: Iterable[Sequence[str]], vocab_size: int) -> WordCharTokenizer:
        words: Counter[str] = Counter()
        chars: Counter[str] = Counter()
        for tokens in sentences:
            for token in tokens:
                words[token.lower()] += 1
                chars.update(token[:MAX_CHARS])
        kept = [w for w, _ in sorted(words.items(), key=lambda item: (-item[1], item[0]))[: max(0, vocab_size - 2)]]
        return cls(kept, sorted(chars))

    def __len__(self) -> int:
        return self.char_offset + len(self.chars)

    def encode_word(self, word: str) -> list[int]:
        unknown_char = self.char_offset
        ids = [self.word_index.get(word.lower(), self.unk_token_id)]
        ids += [self.char_index.get(c, unknown_char) for c in word[:MAX_CHARS]] or [unknown_char]
        return ids

    def __call__(self, batch: Sequence[Sequence[str]], is_split_into_words: bool = True, **_: Any) -> _Encoded:
        if not is_split_into_words:
            raise ValueError("WordCharTokenizer takes sentences already split into words")
        all_ids, all_words = [], []
        for words in batch:
            ids: list[int] = []
            owners: list[int] = []
            for k, word in enumerate(words):
                pieces = self.encode_word(word)
                ids += pieces
                owners += [k] * len(pieces)
            all_ids.append(ids)
            all_words.append(owners)
        return _Encoded(all_ids, all_words)

    def save_pretrained(self, folder: str | Path) -> None:
        path = Path(folder) / VOCAB_FILE
        path.write_text(json.dumps({"words": self.words[2:], "chars": self.chars[1:]}, ensure_ascii=False),
                        encoding="utf-8")

    @classmethod
    def from_folder(cls, folder: str | Path) -> WordCharTokenizer:
        vocab = json.loads((Path(folder) / VOCAB_FILE).read_text(encoding="utf-8"))
        return cls(vocab["words"], vocab["chars"])


class BiLSTMEncoder(nn.Module):
    """Word embeddings + character CNN -> BiLSTM over words; states placed at each word's id position."""

    def __init__(self, n_words: int, n_chars: int, word_dim: int = 100, hidden: int = 100, layers: int = 1,
                 dropout: float = 0.1) -> None:
        super().__init__()
        self.n_words = n_words
        self.config = SimpleNamespace(
            model_type=BILSTM, hidden_size=2 * hidden, n_words=n_words, n_chars=n_chars, word_dim=word_dim,
            hidden=hidden, layers=layers, dropout=dropout,
        )
        self.word_embeddings = nn.Embedding(n_words, word_dim, padding_idx=0)
        self.char_embeddings = nn.Embedding(n_chars + 1, CHAR_DIM, padding_idx=0)  # 0: not a character
        self.char_cnn = nn.Conv1d(CHAR_DIM, CHAR_FILTERS, kernel_size=3, padding=1)
        self.dropout = nn.Dropout(dropout)
        self.lstm = nn.LSTM(word_dim + CHAR_FILTERS, hidden, num_layers=layers, bidirectional=True,
                            batch_first=True, dropout=dropout if layers > 1 else 0.0)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, **_: Any) -> SimpleNamespace:
        mask = attention_mask.bool()
        is_word = (input_ids < self.n_words) & mask
        is_char = (input_ids >= self.n_words) & mask
        owner = torch.cumsum(is_word.long(), dim=1) - 1  # word number of every position
        n_words = int(is_word.sum(1).max().clamp(min=1))
        char_ids = torch.where(is_char, input_ids - self.n_words + 1, torch.zeros_like(input_ids))
        char_states = self.char_cnn(self.char_embeddings(char_ids).transpose(1, 2)).transpose(1, 2)
        char_states = char_states.masked_fill(~is_char.unsqueeze(-1), float("-inf"))
        batch = input_ids.size(0)
        pooled = torch.full((batch, n_words, CHAR_FILTERS), float("-inf"), device=input_ids.device,
                            dtype=char_states.dtype)
        index = owner.clamp(min=0, max=n_words - 1).unsqueeze(-1).expand_as(char_states)
        pooled = pooled.scatter_reduce(1, index, char_states, reduce="amax")
        pooled = torch.where(torch.isinf(pooled), torch.zeros_like(pooled), pooled)
        word_positions = torch.zeros((batch, n_words), dtype=torch.long, device=input_ids.device)
        word_mask = torch.zeros((batch, n_words), dtype=torch.bool, device=input_ids.device)
        rows, cols = is_word.nonzero(as_tuple=True)
        word_positions[rows, owner[rows, cols]] = cols
        word_mask[rows, owner[rows, cols]] = True
        word_ids = input_ids.gather(1, word_positions).masked_fill(~word_mask, 0)
        features = self.dropout(torch.cat([self.word_embeddings(word_ids), pooled], dim=-1))
        lengths = word_mask.sum(1).clamp(min=1).cpu()
        packed = nn.utils.rnn.pack_padded_sequence(features, lengths, batch_first=True, enforce_sorted=False)
        states, _ = self.lstm(packed)
        states, _ = nn.utils.rnn.pad_packed_sequence(states, batch_first=True, total_length=n_words)
        hidden = torch.zeros((batch, input_ids.size(1), states.size(-1)), dtype=states.dtype, device=states.device)
        hidden[rows, cols] = states[rows, owner[rows, cols]]
        return SimpleNamespace(last_hidden_state=self.dropout(hidden))

    def save_pretrained(self, folder: str | Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / CONFIG_FILE).write_text(json.dumps(vars(self.config), indent=2) + "\n", encoding="utf-8")
        torch.save({k: v.detach().cpu() for k, v in self.state_dict().items()}, folder / WEIGHTS_FILE)


def build_bilstm_encoder(
    train_sentences: Iterable[Sequence[str]], word_dim: int, hidden: int, layers: int, vocab_size: int,
    seed: int = 0,
) -> tuple[BiLSTMEncoder, WordCharTokenizer]:
    """A randomly initialised (seeded) BiLSTM encoder and its tokenizer learned from the training words."""
    tokenizer = WordCharTokenizer.train(train_sentences, vocab_size)
    torch.manual_seed(seed)
    encoder = BiLSTMEncoder(tokenizer.char_offset, len(tokenizer.chars), word_dim, hidden, layers)
    return encoder, tokenizer


def is_bilstm_folder(folder: str | Path) -> bool:
    return (Path(folder) / CONFIG_FILE).is_file()


def load_bilstm(folder: str | Path) -> tuple[BiLSTMEncoder, WordCharTokenizer]:
    """Encoder and tokenizer saved by ``save_pretrained`` into `folder`."""
    folder = Path(folder)
    config = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
    encoder = BiLSTMEncoder(config["n_words"], config["n_chars"], config["word_dim"], config["hidden"],
                            config["layers"], config["dropout"])
    encoder.load_state_dict(torch.load(folder / WEIGHTS_FILE, map_location="cpu", weights_only=True))
    return encoder, WordCharTokenizer.from_folder(folder)
