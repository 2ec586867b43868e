//! The interviews' demo data: three venues, two panels (Imogen Interviewer's with a cap of six a
//! day, and a second interviewer's), published slots in London and online on a weekday two weeks
//! ahead, Ivy, a CIR applicant invited to interview with a booking, and Ann's Japanese evaluation
//! request with three proposed times.

use crate::demo::DemoAccount;
use jetdesk_domain::{transition, ApplicationState, Event, Role};
use jetdesk_store::{Round, Store};
use std::collections::HashMap;

/// Loads the demo; `ids` are the demo accounts' ids by e-mail. Returns the accounts it adds.
pub async fn load_demo(
    store: &Store,
    round: &Round,
    phc: &str,
    ids: &HashMap<&str, i64>,
) -> anyhow::Result<Vec<DemoAccount>> {
    let mut added = Vec::new();
    let second = store
        .create_user(
            "interviewer2@jetdesk.example",
            "Ian Interviewer",
            phc,
            &[Role::Interviewer],
            true,
        )
        .await?;
    let ivy = store
        .create_user(
            "invited@jetdesk.example",
            "Ivy Invited",
            phc,
            &[Role::Applicant],
            true,
        )
        .await?;
    added.push(DemoAccount {
        email: "interviewer2@jetdesk.example".into(),
        roles: vec![Role::Interviewer],
    });
    added.push(DemoAccount {
        email: "invited@jetdesk.example".into(),
        roles: vec![Role::Applicant],
    });
    let london = store
        .create_interview_venue(
            "London",
            false,
            "Embassy of Japan, 101–104 Piccadilly, London W1J 7JT",
            "",
        )
        .await?;
    store
        .create_interview_venue(
            "Edinburgh",
            false,
            "Consulate-General of Japan, 2 Melville Crescent, Edinburgh EH3 7HW",
            "",
        )
        .await?;
    let online = store
        .create_interview_venue(
            "Online",
            true,
            "Video call",
            "https://meet.jetdesk.example/interviews",
        )
        .await?;
    let mut panels = Vec::new();
    if let Some(imogen) = ids.get("interviewer@jetdesk.example") {
        store.set_interviewer_cap(*imogen, 6).await?;
        panels.push(
            store
                .create_interview_panel(round.id, "Panel A", &[*imogen])
                .await?,
        );
    }
    store.set_interviewer_cap(second, 8).await?;
    panels.push(
        store
            .create_interview_panel(round.id, "Panel B", &[second])
            .await?,
    );

    // A weekday two weeks ahead: six 40-minute slots from 09:00 in London, four online from 14:00.
    let day = jiff::Zoned::now()
        .with_time_zone(jiff::tz::TimeZone::get(super::ZONE)?)
        .date()
        .checked_add(jiff::Span::new().days(14))?;
    let day = match day.weekday() {
        jiff::civil::Weekday::Saturday => day.checked_add(jiff::Span::new().days(2))?,
        jiff::civil::Weekday::Sunday => day.checked_add(jiff::Span::new().days(1))?,
        _ => day,
    };
    let mut first_slot = None;
    for (venue, hour, count, positions) in [(london, 9, 6, "alt,cir"), (online, 14, 4, "alt,cir")] {
        let pattern = super::day_pattern(day, jiff::civil::time(hour, 0, 0, 0), 40, 10, count)
            .map_err(|e| anyhow::anyhow!("demo slots: {e:?}"))?;
        for slot in pattern {
            let id = store
                .create_interview_slot(
                    round.id,
                    venue,
                    slot.starts_at,
                    40,
                    &day.to_string(),
                    positions,
                    &panels,
                )
                .await?;
            first_slot.get_or_insert(id);
        }
    }
    store.publish_interview_slots(round.id).await?;

    // Ivy: a CIR application driven through the state machine to "invited", with a booking.
    let app = store.create_application(round, ivy, "cir").await?;
    store
        .submit_application(
            app,
            jetdesk_store::now(),
            round.closes_at,
            "submitted",
            "pass",
            "{}",
        )
        .await?;
    let mut state = ApplicationState::Submitted;
    for event in [Event::EligibilityPassed, Event::StartReview, Event::Invite] {
        let next = transition(state, event)?;
        store
            .set_application_state(app, state.as_str(), next.as_str(), None)
            .await?;
        state = next;
    }
    store
        .set_search_text(app, "ivy invited invited@jetdesk.example")
        .await?;
    if let Some(slot) = first_slot {
        let uid = format!("interview-{app}-demo@jetdesk");
        store.book_interview(app, slot, &uid).await?;
    }

    // Ann asks for a Japanese evaluation, proposing three afternoons next week.
    if let Some(ann) = ids.get("applicant@jetdesk.example") {
        let tz = jiff::tz::TimeZone::get(super::ZONE)?;
        let base = jiff::Zoned::now().with_time_zone(tz.clone()).date();
        let mut proposed = Vec::new();
        for days in [7, 8, 9] {
            let dt = base.checked_add(jiff::Span::new().days(days))?.at(15, 0, 0, 0);
            proposed.push(tz.to_ambiguous_zoned(dt).compatible()?.timestamp().as_second());
        }
        let application = store.newest_application_id_of(*ann).await?;
        store
            .create_japanese_evaluation(
                *ann,
                application,
                &proposed,
                "I passed N3 two years ago and have studied since; is my Japanese enough for CIR?",
                "evaluation-demo@jetdesk",
            )
            .await?;
    }
    Ok(added)
}
