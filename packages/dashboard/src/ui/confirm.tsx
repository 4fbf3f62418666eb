import { useState } from "react";
import { Dialog } from "./dialog";

/**
 * Confirmation for destructive or wide actions. When `typed` is set, the user must type it
 * (e.g. the host count of a bulk action) before the action is enabled.
 */
export function Confirm({
  open,
  onOpenChange,
  title,
  description,
  action,
  typed,
  onConfirm,
  busy,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description: string;
  action: string;
  typed?: string;
  onConfirm: () => void;
  busy?: boolean;
}) {
  const [text, setText] = useState("");
  const ready = typed === undefined || text.trim() === typed;
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        setText("");
        onOpenChange(o);
      }}
      title={title}
      description={description}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (ready) onConfirm();
        }}
      >
        {typed !== undefined && (
          <label>
            Type <code>{typed}</code> to confirm
            <input value={text} onChange={(e) => setText(e.target.value)} autoComplete="off" />
          </label>
        )}
        <div className="actions">
          <button type="button" onClick={() => onOpenChange(false)}>
            Cancel
          </button>
          <button type="submit" className="danger" disabled={!ready || busy}>
            {action}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
