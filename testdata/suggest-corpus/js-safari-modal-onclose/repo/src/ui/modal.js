import { createFocusTrap } from '../lib/focus';

const DEFAULTS = {
  closeOnEscape: true,
  closeOnBackdrop: true,
};

export class Modal {
  constructor(element, options) {
    this.element = element;
    this.options = { ...DEFAULTS, ...options };
    this.trap = createFocusTrap(element);
    this.onKey = this.onKey.bind(this);
  }

  open() {
    this.element.hidden = false;
    this.trap.activate();
    document.addEventListener('keydown', this.onKey);
  }

  close() {
    this.element.hidden = true;
    this.trap.deactivate();
    document.removeEventListener('keydown', this.onKey);
    this.options.onClose();
  }

  onKey(event) {
    if (event.key === 'Escape' && (this.options.closeOnEscape ?? true)) {
      this.close();
    }
  }
}
