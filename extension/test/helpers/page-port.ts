/**
 * The private page channel in tests (jsdom has no MessageChannel: Node's ports stand in for
 * the browser's; they are unref'd so a test that forgets one does not hold the process).
 */
import { acceptPort, offerPort, type PortLike } from "../../src/shared/page-channel";

interface NodePort extends PortLike {
  unref?: () => void;
  close?: () => void;
}

type ChannelWindow = Parameters<typeof offerPort>[0];

export function nodeChannel(): { port1: PortLike; port2: PortLike } {
  const channel = new MessageChannel() as unknown as { port1: NodePort; port2: NodePort };
  channel.port1.unref?.();
  channel.port2.unref?.();
  return channel;
}

/** Stand in for the content script: hand a port to the hook installed on `win`; what the hook
 * posts lands in `posted`, `send` posts to the hook. */
export function contentSide(win: Window): { posted: unknown[]; send: (message: unknown) => void; taken: boolean } {
  const { port1, port2 } = nodeChannel();
  const posted: unknown[] = [];
  port1.onmessage = (event: MessageEvent) => void posted.push(event.data);
  const offer = offerPort(win as unknown as ChannelWindow, port2);
  return { posted, send: (message) => port1.postMessage(message), taken: offer.taken() };
}

/** Stand in for the hook: take the port the content script offers on `win`. */
export function hookSide(win: Window): { port: () => PortLike | null; received: unknown[] } {
  let taken: PortLike | null = null;
  const received: unknown[] = [];
  acceptPort(win as unknown as ChannelWindow, (port) => {
    taken = port;
    port.onmessage = (event: MessageEvent) => void received.push(event.data);
  });
  return { port: () => taken, received };
}
