/** A committed case event, as it crosses instances: ids only, never record data. */
export interface CaseEventNotice {
  eventId: string;
  caseId: string;
}

/** Delivers committed case events to every instance of the hub. */
export interface EventBus {
  publish(notice: CaseEventNotice): Promise<void>;
  subscribe(listener: (notice: CaseEventNotice) => void): () => void;
  close(): Promise<void>;
}

/** In-process delivery only; used until a cross-instance transport is configured. */
export class LocalEventBus implements EventBus {
  private readonly listeners = new Set<(notice: CaseEventNotice) => void>();

  async publish(notice: CaseEventNotice): Promise<void> {
    for (const l of this.listeners) l(notice);
  }

  subscribe(listener: (notice: CaseEventNotice) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
