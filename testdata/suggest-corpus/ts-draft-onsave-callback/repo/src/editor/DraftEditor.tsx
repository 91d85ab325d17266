import React, { useState } from "react";
import { Draft, emptyDraft } from "./draft";
import { Toolbar } from "./Toolbar";

interface DraftEditorProps {
  initial?: Draft;
  onSave?: (draft: Draft) => void;
  onCancel: () => void;
}

export function DraftEditor(props: DraftEditorProps) {
  const [draft, setDraft] = useState<Draft>(props.initial ?? emptyDraft());
  const [dirty, setDirty] = useState(false);

  function update(text: string) {
    setDraft({ ...draft, text });
    setDirty(true);
  }

  function save() {
    props.onSave(draft);
    setDirty(false);
  }

  return (
    <div className="draft-editor">
      <Toolbar canSave={dirty} onSave={save} onCancel={props.onCancel} />
      <textarea value={draft.text} onChange={(e) => update(e.target.value)} />
    </div>
  );
}
