//! E-mail. Handlers only queue a message in the outbox table (in the request that caused it);
//! this worker delivers queued mail through SMTP, or, without SMTP, writes each message as an
//! `.eml` file under `DATA_DIR/outbox` for a developer (and the tests) to open. Failed deliveries
//! are retried with growing delays. A message may carry text attachments (the .ics invitations of
//! interviews); it then goes out as `multipart/mixed`, in SMTP and in the .eml files alike.

use jetdesk_store::{MailAttachment, OutboxMessage, Store};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::message::{Attachment, MultiPart, SinglePart};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Where mail goes.
#[derive(Clone)]
pub enum Transport {
    /// A real SMTP server.
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// `.eml` files in a folder (development and tests).
    Files(PathBuf),
}

/// Queues and delivers jetdesk's e-mail.
#[derive(Clone)]
pub struct Mailer {
    store: Store,
    from: Mailbox,
    transport: Transport,
    wake: Arc<Notify>,
}

impl Mailer {
    /// A mailer delivering through `transport` from the address `from`.
    pub fn new(store: Store, from: &str, transport: Transport) -> anyhow::Result<Mailer> {
        let from = from
            .parse()
            .map_err(|e| anyhow::anyhow!("--mail-from {from:?}: {e}"))?;
        Ok(Mailer {
            store,
            from,
            transport,
            wake: Arc::new(Notify::new()),
        })
    }

    /// Queues a plain-text message; the worker sends it within moments.
    pub async fn queue(&self, to: &str, subject: &str, body: &str) -> jetdesk_store::Result<()> {
        self.store.enqueue_mail(to, subject, body).await?;
        self.wake.notify_one();
        Ok(())
    }

    /// Queues a plain-text message with one text attachment (for example an .ics invitation with
    /// `text/calendar; method=REQUEST; charset=utf-8`).
    pub async fn queue_with_attachment(
        &self,
        to: &str,
        subject: &str,
        body: &str,
        attachment: MailAttachment,
    ) -> jetdesk_store::Result<()> {
        self.store
            .enqueue_mail_with_attachments(to, subject, body, &[attachment])
            .await?;
        self.wake.notify_one();
        Ok(())
    }

    /// Describes the transport for the start-up banner.
    pub fn describe(&self) -> String {
        match &self.transport {
            Transport::Smtp(_) => "mail is sent through SMTP".into(),
            Transport::Files(dir) => format!(
                "no SMTP configured: mail is written as .eml files to {}",
                dir.display()
            ),
        }
    }

    /// Delivers queued mail until the process ends.
    pub async fn run_worker(self) {
        loop {
            match self.deliver_due().await {
                Ok(0) => {
                    let _ = tokio::time::timeout(Duration::from_secs(5), self.wake.notified()).await;
                }
                Ok(_) => {}
                Err(err) => {
                    tracing::warn!(error = %err, "mail outbox: could not read the queue");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                }
            }
        }
    }

    /// Sends every message that is due; returns how many were attempted.
    pub async fn deliver_due(&self) -> jetdesk_store::Result<usize> {
        let batch = self.store.claim_due_mail(20).await?;
        for msg in &batch {
            match self.send(msg).await {
                Ok(()) => self.store.mark_mail_sent(msg.id).await?,
                Err(err) => {
                    // 30 s, 1 min, 2 min, … capped at an hour.
                    let retry_in = (30i64 << msg.attempts.clamp(0, 7)).min(3600);
                    tracing::warn!(id = msg.id, attempts = msg.attempts + 1, error = %err, "mail delivery failed; will retry");
                    self.store
                        .mark_mail_failed(msg.id, &err.to_string(), retry_in)
                        .await?;
                }
            }
        }
        Ok(batch.len())
    }

    async fn send(&self, msg: &OutboxMessage) -> anyhow::Result<()> {
        let attachments = self.store.mail_attachments(msg.id).await?;
        let builder = Message::builder()
            .from(self.from.clone())
            .to(msg.to_addr.parse()?)
            .subject(msg.subject.clone());
        let message = if attachments.is_empty() {
            builder
                .header(ContentType::TEXT_PLAIN)
                .body(msg.body_text.clone())?
        } else {
            let mut parts = MultiPart::mixed().singlepart(SinglePart::plain(msg.body_text.clone()));
            for a in attachments {
                let content_type = ContentType::parse(&a.content_type)?;
                parts = parts.singlepart(Attachment::new(a.filename).body(a.body, content_type));
            }
            builder.multipart(parts)?
        };
        match &self.transport {
            Transport::Smtp(smtp) => {
                smtp.send(message).await?;
            }
            Transport::Files(dir) => {
                tokio::fs::create_dir_all(dir).await?;
                AsyncFileTransport::<Tokio1Executor>::new(dir)
                    .send(message)
                    .await?;
            }
        }
        Ok(())
    }
}

/// Builds the transport from the configuration.
pub fn transport(smtp_url: Option<&str>, outbox: PathBuf) -> anyhow::Result<Transport> {
    Ok(match smtp_url {
        Some(url) => Transport::Smtp(AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?.build()),
        None => Transport::Files(outbox),
    })
}
