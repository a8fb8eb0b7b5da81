//! What a bot's conversation needs from the emulator: the send methods and the journal
//! (send), what a send causes (simulate), where a notification goes (deliver), the store of
//! contacts, messages and traces (store), and the chat page with its routes (page).

pub mod deliver;
pub mod page;
pub mod send;
pub mod simulate;
pub mod store;

pub use store::Chats;
