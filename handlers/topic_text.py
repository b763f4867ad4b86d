"""A topic as plain text, whole: what `motcua kb show` prints and staff review."""

from __future__ import annotations

from handlers.answers import procedure_summary, section_text
from handlers.menu import contact_text, reception_text
from knowledge.loader import KnowledgeBase
from knowledge.schema import Guide, Procedure, Service


def topic_full_text(kb: KnowledgeBase, topic: Procedure | Guide | Service) -> str:
    if isinstance(topic, Procedure):
        parts = [procedure_summary(topic).rsplit("\n\n", 1)[0]]
        for section in ("docs", "fees", "online", "tips", "legal"):
            text = section_text(topic, section)
            if text:
                parts.append(text)
        return "\n\n".join(parts)
    if isinstance(topic, Service):
        extra = ""
        if topic.id == "lien-he":
            extra = "\n\n" + contact_text(kb.locality)
        elif topic.id == "lich-tiep-dan":
            extra = "\n\n" + reception_text(kb.locality)
        return f"{topic.name}\n{topic.body}{extra}"
    lines = [topic.name, topic.intro]
    for w in topic.walkthroughs:
        lines.append(f"\n{w.title}")
        lines += [f"- {s.title}: {s.text}" for s in w.steps]
    return "\n".join(lines)
