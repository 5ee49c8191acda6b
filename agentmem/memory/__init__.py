"""Dialogue memory whose every write is scored: Mem0-style facts and A-Mem-style notes.

    from agentmem.memory import FactsMemory, Scope

    async with FactsMemory.create("~/.agentmem/memory", model="openai/gpt-4o-mini") as memory:
        await memory.add([{"role": "user", "content": "I moved to Lisbon."}], scope=Scope(user_id="alice"))
        hits = await memory.search("where does she live", scope=Scope(user_id="alice"))

How a write goes (``FactsMemory.add``): clean the messages (system prompts and memories we
injected never come back) → extract facts → under the scope's write lock: retrieve related
memories (the index, plus exact copies and not-yet-indexed memories from SQL) → propose ADD /
UPDATE / DELETE / NOOP against temporary integer ids → score every candidate, NOOP included, with
the reward model → choose under the write policy (the scored-write core of
:mod:`agentmem.policies`: score, best-of-N, gate-and-revise, keep-best or refuse) → one SQL
transaction with the intent, compare-and-swap on the versions proposed against (a conflict
proposes again) → the Qdrant index → marked applied. If the index write fails the write still
stands and a reconciler retries it; a crash between SQL and index is repaired when the store
opens again.

Identity is the :class:`Scope` (tenant, user, agent, run), matched exactly; metadata never
changes it. Writes are serialised per scope within a process; the embedded engine (Qdrant Edge,
one shard per tenant, SQLite history) serves one process at a time -- use a Qdrant server
(``qdrant_url``) and PostgreSQL (``db_url``) for several processes.
"""

from __future__ import annotations

from agentmem.memory._conversation import (
    INJECT_CLOSE,
    INJECT_OPEN,
    Conversation,
    clean_messages,
    inject_block,
)
from agentmem.memory._edge import EdgeIndex
from agentmem.memory._embed import (
    Bm25Embedder,
    Embedder,
    HashEmbedder,
    HybridEmbedder,
    HybridVec,
    LLMEmbedder,
    SparseVec,
)
from agentmem.memory._export import export_pairs
from agentmem.memory._facts import DEFAULT_INSTRUCTION, FactsMemory
from agentmem.memory._history import HistoryDB, IndexWriteFailed, WriteConflict
from agentmem.memory._index import IndexHit, IndexPoint, IndexSpec, VectorIndex
from agentmem.memory._llm_steps import (
    EXTRACT_PROMPT,
    PROPOSE_PROMPT,
    LLMFactExtractor,
    LLMOpProposer,
)
from agentmem.memory._note_steps import (
    Evolution,
    EvolutionProposer,
    LLMEvolutionProposer,
    LLMNoteBuilder,
    NeighbourUpdate,
    NoteAttrs,
    NoteBuilder,
    OverlapEvolution,
    WordNoteBuilder,
    render_note,
)
from agentmem.memory._notes import NotesMemory
from agentmem.memory._policy import WritePolicy
from agentmem.memory._qdrant_server import QdrantServerIndex
from agentmem.memory._records import (
    AddResult,
    MemoryEvent,
    MemoryItem,
    OpOutcome,
    ProposedOp,
    text_hash,
)
from agentmem.memory._scope import Scope
from agentmem.memory._steps import (
    FactExtractor,
    FunctionExtractor,
    FunctionProposer,
    LexicalProposer,
    OpProposer,
    RawOp,
    Related,
    SentenceExtractor,
    content_words,
)
from agentmem.memory._store import Change, MemoryStore, open_store

__all__ = [
    "DEFAULT_INSTRUCTION",
    "EXTRACT_PROMPT",
    "INJECT_CLOSE",
    "INJECT_OPEN",
    "PROPOSE_PROMPT",
    "AddResult",
    "Bm25Embedder",
    "Change",
    "Conversation",
    "EdgeIndex",
    "Embedder",
    "Evolution",
    "EvolutionProposer",
    "FactExtractor",
    "FactsMemory",
    "FunctionExtractor",
    "FunctionProposer",
    "HashEmbedder",
    "HistoryDB",
    "HybridEmbedder",
    "HybridVec",
    "IndexHit",
    "IndexPoint",
    "IndexSpec",
    "IndexWriteFailed",
    "LLMEmbedder",
    "LLMEvolutionProposer",
    "LLMFactExtractor",
    "LLMNoteBuilder",
    "LLMOpProposer",
    "LexicalProposer",
    "MemoryEvent",
    "MemoryItem",
    "MemoryStore",
    "NeighbourUpdate",
    "NoteAttrs",
    "NoteBuilder",
    "NotesMemory",
    "OpOutcome",
    "OpProposer",
    "OverlapEvolution",
    "ProposedOp",
    "QdrantServerIndex",
    "RawOp",
    "Related",
    "Scope",
    "SentenceExtractor",
    "SparseVec",
    "VectorIndex",
    "WordNoteBuilder",
    "WriteConflict",
    "WritePolicy",
    "clean_messages",
    "content_words",
    "export_pairs",
    "inject_block",
    "open_store",
    "render_note",
    "text_hash",
]
