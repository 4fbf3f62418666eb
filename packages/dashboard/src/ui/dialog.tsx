import * as D from "@radix-ui/react-dialog";
import type { ReactNode } from "react";

/** Accessible modal dialog (Radix: focus trap, Esc, aria wiring) styled with our CSS. */
export function Dialog({
  open,
  onOpenChange,
  title,
  description,
  drawer,
  children,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description?: string;
  drawer?: boolean;
  children: ReactNode;
}) {
  return (
    <D.Root open={open} onOpenChange={onOpenChange}>
      <D.Portal>
        <D.Overlay className="overlay" />
        <D.Content className={drawer ? "dialog drawer" : "dialog"}>
          <D.Title>{title}</D.Title>
          <D.Description className="hint">{description ?? ""}</D.Description>
          {children}
        </D.Content>
      </D.Portal>
    </D.Root>
  );
}

export const DialogClose = D.Close;
