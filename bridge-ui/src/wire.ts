/**
 * The names the app uses for wire types. Everything here is re-exported from `gen/` (generated
 * from contracts/: never edited by hand), so a contract change shows up as a type error.
 */
export type {
  Analytics,
  BackfillStatus,
  BrainState,
  ChatHistory,
  CommandState,
  CommandStatusUpdate,
  ConnectionInfo,
  ConversationNode,
  Coverage,
  FullSyncResponse,
  OutgoingWssMessage,
  ReplySuggestion,
  SystemStatus,
  TopicMetric,
  WssError,
} from "./gen/wss-outgoing";
export type {
  IncomingWssMessage,
  SendCommandMessage,
  SendMessageCommand,
} from "./gen/wss-incoming";
export type {
  ChatMessage,
  ChatPage,
  CommandRecord,
  CreatorSettings,
  DeletionReport,
  FanProfile,
  GraphEdge,
  GraphNode,
  GraphView,
  MessagePage,
  WhoAmI,
} from "./gen/rest";

/** The inbox orders the REST API and the dashboard both know. */
export type ChatSort = "priority" | "waiting" | "revenue";
