/** The inbox: conversations (virtualized) | the open chat with its draft | the fan's profile. */
import { ConversationList } from "./ConversationList";
import { ChatPane } from "./ChatPane";
import { FanPanel } from "./FanPanel";
import { Empty } from "../../components/StateMessage";

export function InboxView({ userId, chatId }: { userId: string; chatId: string | null }) {
  return (
    <div className="inbox">
      <ConversationList selected={chatId} />
      {chatId ? (
        <>
          <ChatPane key={chatId} userId={userId} chatId={chatId} />
          <FanPanel userId={userId} chatId={chatId} />
        </>
      ) : (
        <section className="chat-pane chat-empty">
          <Empty>Pick a conversation. The most urgent ones are at the top.</Empty>
        </section>
      )}
    </div>
  );
}
