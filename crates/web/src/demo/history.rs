//! The demo's recruitment history, so that every chart on the coordinator's dashboard has
//! something to show from the start:
//!
//! - Last year's round (the selection demo's round) gets a year's worth of submissions over its
//!   ten weeks, with the rush before the deadline. Those not in the selection demo are ineligible,
//!   unsuccessful at the sift or withdrawn, so no selection page lists them.
//! - The open round gets submissions over its first seven weeks, rising as the deadline nears, with
//!   eligibility verdicts, universities and home towns.
//! - The open round's eligible applications, earliest submitted first, have moved on. Some are
//!   placed, with their offers accepted, awaiting an answer or declined; some are interviewed and
//!   scored, invited (some booked into the demo's slots), sifted out, or in review (with reviewers'
//!   sheets, some scored, and two moderation cases); a few have withdrawn.
//!
//! Each step is in the audit log at the time it happened, so "time in each stage" has real
//! durations. The eight shortlisted placement candidates and the other demo people are left as
//! their own modules made them.

use super::synthetic_application;
use jetdesk_domain::{transition, ApplicationState, Event};
use jetdesk_store::{
    DemoApplication, DemoHistory, DemoInterviewTotal, DemoOffer, DemoReview, DemoStateChange,
    PlacementPostInput, Round, Store,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const DAY: i64 = 86_400;
/// Submissions to the open round so far.
const OPEN_ROUND: usize = 240;
/// Submissions to last year's round.
const LAST_YEAR: usize = 300;

/// Where an eligible application of the open round has got to, for the first ones submitted (in
/// this order); the rest are still eligible, waiting for reviewers.
const PIPELINE: &[(Path, usize)] = &[
    (Path::Accepted, 2),
    (Path::Placed, 2),
    (Path::Declined, 1),
    (Path::Interviewed, 10),
    (Path::Invited, 8),
    (Path::Sifted, 8),
    (Path::InReview, 50),
    (Path::Withdrawn, 4),
];

/// One step an application took: the event, the states before and after, and when.
type Step = (Event, ApplicationState, ApplicationState, i64);

/// How far an application went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Path {
    InReview,
    Sifted,
    Invited,
    Interviewed,
    Placed,
    Accepted,
    Declined,
    Withdrawn,
}

impl Path {
    /// The events after submission, each with the days it usually took.
    fn events(self) -> &'static [(Event, i64, i64)] {
        const REVIEW: (Event, i64, i64) = (Event::StartReview, 2, 6);
        const INVITE: (Event, i64, i64) = (Event::Invite, 6, 12);
        const INTERVIEW: (Event, i64, i64) = (Event::Interviewed, 4, 9);
        const SHORTLIST: (Event, i64, i64) = (Event::Shortlist, 1, 3);
        const PLACE: (Event, i64, i64) = (Event::Place, 2, 5);
        match self {
            Path::InReview => &[REVIEW],
            Path::Sifted => &[REVIEW, (Event::Reject, 6, 12)],
            Path::Invited => &[REVIEW, INVITE],
            Path::Interviewed => &[REVIEW, INVITE, INTERVIEW],
            Path::Placed => &[REVIEW, INVITE, INTERVIEW, SHORTLIST, PLACE],
            Path::Accepted => &[REVIEW, INVITE, INTERVIEW, SHORTLIST, PLACE, (Event::Accept, 1, 4)],
            Path::Declined => &[
                REVIEW,
                INVITE,
                INTERVIEW,
                SHORTLIST,
                PLACE,
                (Event::Decline, 2, 6),
            ],
            Path::Withdrawn => &[(Event::Withdraw, 3, 15)],
        }
    }

    /// Whether both reviewers have scored it.
    fn reviewed(self) -> bool {
        !matches!(self, Path::InReview | Path::Withdrawn)
    }

    /// Whether it holds or held a placement offer.
    fn offered(self) -> bool {
        matches!(self, Path::Placed | Path::Accepted | Path::Declined)
    }
}

/// The staff who appear in the history.
#[derive(Debug, Clone, Copy)]
pub(super) struct Staff {
    pub(super) coordinator: i64,
    pub(super) reviewers: [i64; 2],
    pub(super) interviewers: [i64; 2],
}

/// The day (from 0 to `weights.len() - 1`) at which the share `u` (0 to 1) of all submissions is
/// reached, when each day has its weight's share.
fn day_at(weights: &[f64], u: f64) -> i64 {
    let total: f64 = weights.iter().sum();
    let mut left = u * total;
    for (day, w) in weights.iter().enumerate() {
        if left < *w {
            return day as i64;
        }
        left -= w;
    }
    weights.len().saturating_sub(1) as i64
}

/// `n` submissions to `round` spread over its days by `weight` (of the share of the time from the
/// opening to `until`), at a waking hour and never after `until`; `tag` tells the e-mail addresses
/// apart from other batches.
fn submissions(
    rng: &mut StdRng,
    round: &Round,
    n: usize,
    tag: &str,
    until: i64,
    weight: impl Fn(f64) -> f64,
) -> Vec<DemoApplication> {
    // Today's part-day counts as a day, or the chart would show no submissions yesterday or today.
    let days = (until - round.opens_at + DAY - 1).div_euclid(DAY).max(1);
    let weights: Vec<f64> = (0..days).map(|d| weight(d as f64 / days as f64)).collect();
    (0..n)
        .map(|i| {
            synthetic_application(rng, round, &format!("{tag}{i}"), |rng| {
                // One submission in each n-th of the total, at a random point of it: the days follow
                // the weights closely, with some day-to-day noise.
                let u = (i as f64 + rng.gen_range(0.0..1.0)) / n as f64;
                let at = round.opens_at + day_at(&weights, u) * DAY + rng.gen_range(7 * 3600..23 * 3600);
                at.min(until - 60)
            })
        })
        .collect()
}

/// The audit entry of a submission, as the submit handler writes it: to the eligibility check's
/// state (every later state of a synthetic application started from eligible).
fn submitted(application_id: i64, app: &DemoApplication) -> DemoStateChange {
    DemoStateChange {
        application_id,
        at: app.submitted_at.unwrap_or_default(),
        actor: None,
        action: "application.submit".into(),
        from: "draft".into(),
        to: if app.state == "ineligible" {
            "ineligible"
        } else {
            "eligible"
        }
        .into(),
    }
}

/// Loads the history into `open` (the demo's open round) and the round before it, if any.
pub(super) async fn load(store: &Store, open: &Round, phc: &str, staff: Staff) -> anyhow::Result<()> {
    let now = jetdesk_store::now();
    let mut rng = StdRng::seed_from_u64(2027);
    let mut history = DemoHistory::default();

    let rounds = store.rounds().await?;
    let last_year = rounds
        .iter()
        .filter(|r| r.country == open.country && r.opens_at < open.opens_at)
        .max_by_key(|r| r.opens_at);
    if let Some(last) = last_year {
        // A steady trickle, then the last fortnight's rush.
        let mut batch = submissions(&mut rng, last, LAST_YEAR, "l", last.closes_at.min(now), |x| {
            1.0 + 2.0 * x + if x > 0.8 { 8.0 * (x - 0.8) / 0.2 } else { 0.0 }
        });
        for app in &mut batch {
            if app.state == "eligible" {
                app.state = if rng.gen_bool(0.08) {
                    "withdrawn"
                } else {
                    "unsuccessful"
                }
                .into();
            }
        }
        store.insert_demo_applications(last, phc, &batch).await?;
        let ids = store.demo_application_ids(last.id).await?;
        for app in &batch {
            let Some((id, _)) = ids.iter().find(|(_, email)| *email == app.email) else {
                continue;
            };
            let first = submitted(*id, app);
            let moved = app.state != first.to;
            history.state_changes.push(first);
            if moved {
                let (action, from) = if app.state == "withdrawn" {
                    ("application.withdraw", "eligible")
                } else {
                    ("application.reject", "in_review")
                };
                if from == "in_review" {
                    history.state_changes.push(DemoStateChange {
                        application_id: *id,
                        at: last.closes_at + rng.gen_range(3..9) * DAY,
                        actor: Some(staff.coordinator),
                        action: "application.start_review".into(),
                        from: "eligible".into(),
                        to: "in_review".into(),
                    });
                }
                history.state_changes.push(DemoStateChange {
                    application_id: *id,
                    at: last.closes_at + rng.gen_range(12..40) * DAY,
                    actor: Some(staff.coordinator),
                    action: action.into(),
                    from: from.into(),
                    to: app.state.clone(),
                });
            }
        }
    }

    // The open round: more each week as the deadline comes nearer.
    let mut batch = submissions(&mut rng, open, OPEN_ROUND, "o", now - 3600, |x| 1.0 + 3.0 * x * x);
    // Where each eligible application has got to, the earliest submitted furthest, with the times
    // of its steps: the usual durations, squeezed when it was submitted too recently for them.
    let mut order: Vec<usize> = (0..batch.len())
        .filter(|i| batch[*i].state == "eligible")
        .collect();
    order.sort_by_key(|i| batch[*i].submitted_at);
    let mut paths = PIPELINE.iter().flat_map(|(p, n)| std::iter::repeat_n(*p, *n));
    let mut next = paths.next();
    let mut planned: Vec<(usize, Path, Vec<Step>)> = Vec::new();
    for i in order {
        let Some(path) = next else { break };
        // Offers in the demo are for ALT posts.
        if path.offered() && batch[i].position != "alt" {
            continue;
        }
        next = paths.next();
        let steps = path.events();
        let at = batch[i].submitted_at.unwrap_or(now);
        let durations: Vec<i64> = steps
            .iter()
            .map(|(_, lo, hi)| rng.gen_range(*lo..=*hi) * DAY + rng.gen_range(0..DAY))
            .collect();
        let room = (now - 3600 - at).max(steps.len() as i64);
        let scale = (room as f64 / durations.iter().sum::<i64>().max(1) as f64).min(1.0);
        let mut state = ApplicationState::Eligible;
        let mut t = at;
        let mut moves = Vec::new();
        for ((event, _, _), d) in steps.iter().zip(&durations) {
            t += ((*d as f64) * scale).max(1.0) as i64;
            let to = transition(state, *event)?;
            moves.push((*event, state, to, t));
            state = to;
        }
        batch[i].state = state.as_str().into();
        planned.push((i, path, moves));
    }
    store.insert_demo_applications(open, phc, &batch).await?;
    let ids = store.demo_application_ids(open.id).await?;
    let id_of = |app: &DemoApplication| {
        ids.iter()
            .find(|(_, email)| *email == app.email)
            .map(|(id, _)| *id)
    };
    for app in &batch {
        if let Some(id) = id_of(app) {
            history.state_changes.push(submitted(id, app));
        }
    }
    let offer_post = hokkaido_post(store).await?;
    let mut in_review = Vec::new();
    let mut to_book = Vec::new();
    for (i, path, moves) in &planned {
        let Some(id) = id_of(&batch[*i]) else { continue };
        for (event, from, to, at) in moves {
            let actor = match event {
                Event::Accept | Event::Decline | Event::Withdraw => None,
                Event::Interviewed => Some(staff.interviewers[0]),
                _ => Some(staff.coordinator),
            };
            history.state_changes.push(DemoStateChange {
                application_id: id,
                at: *at,
                actor,
                action: format!("application.{}", event.as_str()),
                from: from.as_str().into(),
                to: to.as_str().into(),
            });
        }
        let when = |e: Event| moves.iter().find(|m| m.0 == e).map(|m| m.3);
        if let Some(assigned) = when(Event::StartReview) {
            let scored_until = when(Event::Invite).or(when(Event::Reject)).unwrap_or(now - 60);
            for reviewer in staff.reviewers {
                let scored = if path.reviewed() || rng.gen_bool(0.6) {
                    let total = if *path == Path::Sifted {
                        rng.gen_range(6..14)
                    } else {
                        rng.gen_range(14..29)
                    };
                    Some((rng.gen_range(assigned..scored_until.max(assigned + 1)), total))
                } else {
                    None
                };
                history.reviews.push(DemoReview {
                    application_id: id,
                    reviewer_id: reviewer,
                    assigned_at: assigned,
                    scored,
                });
            }
        }
        if *path == Path::InReview {
            in_review.push(id);
        }
        if let Some(interviewed) = when(Event::Interviewed) {
            history.interview_totals.push(DemoInterviewTotal {
                application_id: id,
                interviewer_id: staff.interviewers[usize::from(rng.gen_bool(0.5))],
                total: rng.gen_range(14..31),
                at: interviewed,
            });
        }
        if let Some(offered) = when(Event::Place) {
            history.offers.push(DemoOffer {
                round_id: open.id,
                application_id: id,
                post_id: offer_post,
                offered_at: offered,
                deadline_at: offered + 14 * DAY,
                answered_at: when(Event::Accept).or(when(Event::Decline)),
            });
        }
        if *path == Path::Invited {
            to_book.push(id);
        }
    }
    // Two reviewers far apart, which the coordinator has moderated.
    for (i, id) in in_review.iter().take(2).enumerate() {
        for (j, sheet) in history
            .reviews
            .iter_mut()
            .filter(|r| r.application_id == *id)
            .enumerate()
        {
            let total = [[25, 13], [11, 22]][i][j % 2];
            sheet.scored = Some((sheet.assigned_at + DAY, total));
        }
    }
    store.insert_demo_history(&history).await?;
    for (i, id) in in_review.iter().take(2).enumerate() {
        let (agreed, note) = [
            (
                20,
                "Agreed after a call: strong teaching experience, weaker statement.",
            ),
            (17, "Agreed after a call: the second reading is the fairer one."),
        ][i];
        store.moderate(*id, agreed, note, staff.coordinator).await?;
    }
    // Some of the invited have booked a seat in the demo's slots (Ivy already has one).
    let slots = store.open_interview_slots(open.id, now).await?;
    for (id, slot) in to_book.iter().take(5).zip(slots.iter().skip(1)) {
        store
            .book_interview(*id, slot.id, &format!("interview-{id}-demo@jetdesk"))
            .await?;
    }
    Ok(())
}

/// Adds the ALT post at Hokkaido Prefecture that the history's offers are for (five places: two
/// accepted, two awaiting an answer, one freed by a decline) and returns its id. No demo candidate
/// asks for the prefecture's area, so the placement demo's own run is unchanged.
async fn hokkaido_post(store: &Store) -> anyhow::Result<i64> {
    crate::placement::ensure_prefectures(store).await?;
    let orgs = store.placement_orgs().await?;
    let org = orgs
        .iter()
        .find(|o| o.area == "hokkaido" && o.kind == "prefecture")
        .ok_or_else(|| anyhow::anyhow!("no Hokkaido Prefecture among the host organisations"))?;
    let input = PlacementPostInput {
        position: "alt".into(),
        places: 5,
        school_levels: "junior_high,senior_high".into(),
        min_jlpt: String::new(),
        driving_licence: true,
        notes: "Two schools in Asahikawa; a car is provided.".into(),
    };
    store
        .save_placement_post(org.id, None, &input)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the Hokkaido post was not saved"))
}
