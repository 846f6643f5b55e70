import type { ReactNode } from 'react';
import { Button, Dialog, Heading, Modal, ModalOverlay } from 'react-aria-components';

/**
 * Asks before an action that changes something: says what will happen, then
 * **Confirm** or **Cancel**. A dialog (focus kept inside, Escape cancels).
 */
export function ConfirmDialog(props: {
  isOpen: boolean;
  title: string;
  children: ReactNode;
  confirmLabel?: string;
  /** A destructive action's Confirm button is red. */
  destructive?: boolean;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <ModalOverlay isOpen={props.isOpen} onOpenChange={(open) => !open && props.onCancel()} isDismissable>
      <Modal className="modal">
        <Dialog className="dialog">
          <Heading slot="title">{props.title}</Heading>
          <div className="dialog-body">{props.children}</div>
          <div className="actions">
            <Button onPress={props.onCancel}>Cancel</Button>
            <Button
              className={props.destructive ? 'danger' : 'primary'}
              isDisabled={props.busy}
              onPress={props.onConfirm}
              aria-label={props.confirmLabel ? undefined : 'Confirm'}
            >
              {props.confirmLabel ?? 'Confirm'}
            </Button>
          </div>
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}

/** A dialog holding a form or details (its own buttons). */
export function FormDialog(props: { isOpen: boolean; title: string; onClose: () => void; children: ReactNode }) {
  return (
    <ModalOverlay isOpen={props.isOpen} onOpenChange={(open) => !open && props.onClose()} isDismissable>
      <Modal className="modal">
        <Dialog className="dialog">
          <Heading slot="title">{props.title}</Heading>
          {props.children}
        </Dialog>
      </Modal>
    </ModalOverlay>
  );
}
