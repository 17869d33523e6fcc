import { createContext, useContext } from "react";
import type { SocketLink } from "./useSocket";

export const SocketContext = createContext<SocketLink>({ send: () => false });

/** The open Bridge socket, to send frames (`send_command`). */
export function useSocketLink(): SocketLink {
  return useContext(SocketContext);
}
