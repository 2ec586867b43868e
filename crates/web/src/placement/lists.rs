//! Turns the JET data (candidates' preferences, posts' requirements, interview scores, sister
//! cities, the coordinator's pins and forbids) into the engine's lists, runs `jetdesk-placement`,
//! and keeps what the preview shows. No I/O: the handlers load the data and store the result. The
//! rules are written out for coordinators in `docs/placement.md` ("The JET placement in the app");
//! keep the two in step.

use super::areas::prefecture_of;
use jetdesk_domain::JlptLevel;
use jetdesk_placement::{place, BlockingPair, Explainer, InstanceBuilder, InstanceError};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// At most this many post pairs per couple (the best by preference), to bound a run's size.
const MAX_PAIRS: usize = 400;

/// A shortlisted candidate, as the lists see them.
#[derive(Debug, Clone, Default)]
pub struct Candidate {
    /// The application.
    pub application_id: i64,
    /// Reference number.
    pub reference: String,
    /// Name to show.
    pub name: String,
    /// `alt` or `cir`.
    pub position: String,
    /// Up to three area codes, first choice first.
    pub areas: Vec<String>,
    /// `urban`, `semi_urban`, `rural`, or `any`/empty for no preference.
    pub setting: String,
    /// Special circumstances, as written.
    pub circumstances: String,
    /// Home town, as written.
    pub home_town: String,
    /// Japanese level (the JET Desk's assessment if there is one, else the applicant's JLPT).
    pub jlpt: Option<JlptLevel>,
    /// Whether they hold a driving licence, when the application says.
    pub licence: Option<bool>,
    /// Average interview total, when scored.
    pub score: Option<f64>,
}

/// A post with its free places.
#[derive(Debug, Clone, Default)]
pub struct Post {
    /// The post.
    pub id: i64,
    /// Its organisation.
    pub org_id: i64,
    /// The organisation's name and the position, for people.
    pub label: String,
    /// `alt` or `cir`.
    pub position: String,
    /// Places not held by anyone placed or accepted already (may be 0).
    pub free: i64,
    /// Places held before the run.
    pub held: i64,
    /// Minimum Japanese level.
    pub min_jlpt: Option<JlptLevel>,
    /// Whether a driving licence is required.
    pub licence: bool,
    /// The organisation's area code.
    pub area: String,
    /// The organisation's setting.
    pub setting: String,
    /// The organisation's sister cities (lower-case city names).
    pub sister_cities: Vec<String>,
}

/// The coordinator's adjustments: pins (candidate → post) and forbids.
#[derive(Debug, Clone, Default)]
pub struct Adjustments {
    /// Each pinned candidate's post.
    pub pins: BTreeMap<i64, i64>,
    /// Forbidden (candidate, post) pairs.
    pub forbids: BTreeSet<(i64, i64)>,
}

/// One candidate's line of the result.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RunRow {
    /// The application.
    pub application_id: i64,
    /// Reference.
    pub reference: String,
    /// Name.
    pub name: String,
    /// Position.
    pub position: String,
    /// The post they are placed at.
    pub post_id: Option<i64>,
    /// 1–3: placed in their 1st–3rd area; 4: elsewhere; 0: not placed.
    pub area_choice: u8,
    /// The engine's explanation.
    pub explanation: String,
    /// Special circumstances, for the coordinator's eye.
    pub circumstances: String,
    /// Their partner's application, when placed as a couple.
    pub partner: Option<i64>,
    /// How many posts their list held.
    pub choices: usize,
}

/// One post's line of the result.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PostFill {
    /// The post.
    pub post_id: i64,
    /// Its label.
    pub label: String,
    /// Places held before the run (placed or accepted already).
    pub held: i64,
    /// Places the run could fill.
    pub free: i64,
    /// Places the run filled.
    pub filled: i64,
}

/// A run's result, as stored and previewed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct RunResult {
    /// One row per candidate, by reference.
    pub rows: Vec<RunRow>,
    /// One row per post, by label.
    pub posts: Vec<PostFill>,
    /// The checker's verdict.
    pub stable: bool,
    /// Blocking pairs, in words.
    pub blocking: Vec<String>,
    /// Placed in 1st, 2nd, 3rd area, elsewhere; then not placed.
    pub by_area_choice: [u64; 5],
}

fn matches_area(choice: &str, area: &str) -> bool {
    !choice.is_empty()
        && (choice == area || prefecture_of(area).is_some_and(|p| p.code == choice && area != choice))
}

/// Which of the candidate's areas (1–3) the post is in, or 4.
pub fn area_rank(c: &Candidate, p: &Post) -> u8 {
    c.areas
        .iter()
        .position(|a| matches_area(a, &p.area))
        .map_or(4, |i| i as u8 + 1)
}

fn setting_matches(c: &Candidate, p: &Post) -> bool {
    c.setting.is_empty() || c.setting == "any" || c.setting == p.setting
}

fn sister_link(c: &Candidate, p: &Post) -> bool {
    let town = c.home_town.split(',').next().unwrap_or("").trim().to_lowercase();
    !town.is_empty() && p.sister_cities.contains(&town)
}

/// Whether the post may take the candidate (and the candidate be listed for it): same position,
/// a free place, the Japanese level and the licence (when the application says "no"), not
/// forbidden, and the candidate's pin when they have one.
pub fn acceptable(c: &Candidate, p: &Post, adj: &Adjustments) -> bool {
    c.position == p.position
        && p.free > 0
        && p.min_jlpt.is_none_or(|min| c.jlpt.is_some_and(|l| l.meets(min)))
        && !(p.licence && c.licence == Some(false))
        && !adj.forbids.contains(&(c.application_id, p.id))
        && adj.pins.get(&c.application_id).is_none_or(|&q| q == p.id)
}

/// The candidate's ordered list of acceptable posts: posts in their 1st, 2nd, 3rd area; then
/// posts in their preferred setting; then the rest. Within each group: preferred setting first,
/// a sister-city link first, then by label and id.
pub fn candidate_list<'p>(c: &Candidate, posts: &'p [Post], adj: &Adjustments) -> Vec<&'p Post> {
    let mut list: Vec<&Post> = posts.iter().filter(|p| acceptable(c, p, adj)).collect();
    list.sort_by_key(|p| {
        let rank = area_rank(c, p);
        let group = if rank < 4 {
            rank
        } else if setting_matches(c, p) {
            4
        } else {
            5
        };
        (
            group,
            !setting_matches(c, p),
            !sister_link(c, p),
            p.label.clone(),
            p.id,
        )
    });
    list
}

/// The post's priority over the candidates it may take: pinned first; then a sister-city link
/// with the home town; then the interview score (highest first, unscored last); then fit (the
/// post's area in their 1st, 2nd, 3rd choice, then the preferred setting); then application id.
pub fn post_priority<'c>(p: &Post, candidates: &'c [Candidate], adj: &Adjustments) -> Vec<&'c Candidate> {
    let mut list: Vec<&Candidate> = candidates.iter().filter(|c| acceptable(c, p, adj)).collect();
    list.sort_by(|a, b| {
        let key = |c: &Candidate| (adj.pins.get(&c.application_id) != Some(&p.id), !sister_link(c, p));
        key(a)
            .cmp(&key(b))
            .then_with(|| {
                let s = |c: &Candidate| c.score.unwrap_or(f64::NEG_INFINITY);
                s(b).total_cmp(&s(a))
            })
            .then_with(|| {
                let fit = |c: &Candidate| (area_rank(c, p), !setting_matches(c, p));
                fit(a).cmp(&fit(b))
            })
            .then_with(|| a.application_id.cmp(&b.application_id))
    });
    list
}

/// A couple's post pairs: both acceptable, at the same organisation or in the same prefecture;
/// best first by the sum of both members' list positions, the same organisation first.
pub fn couple_pairs(first: &[&Post], second: &[&Post]) -> Vec<(i64, i64)> {
    let mut pairs = Vec::new();
    for (i, p) in first.iter().enumerate() {
        for (j, q) in second.iter().enumerate() {
            let same_org = p.org_id == q.org_id;
            let same_pref = match (prefecture_of(&p.area), prefecture_of(&q.area)) {
                (Some(a), Some(b)) => a.code == b.code,
                _ => false,
            };
            if same_org || same_pref {
                pairs.push((i + j, !same_org, i, p.id, q.id));
            }
        }
    }
    pairs.sort_unstable();
    pairs.into_iter().take(MAX_PAIRS).map(|t| (t.3, t.4)).collect()
}

fn a_name(id: i64) -> String {
    format!("a{id}")
}

fn p_name(id: i64) -> String {
    format!("p{id}")
}

fn parse_id(name: &str) -> i64 {
    name.get(1..).and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// Builds the lists, runs the engine and its checker, and keeps the preview's result.
///
/// # Errors
/// Only if the engine refuses the lists, which the rules above never produce.
pub fn run(
    candidates: &[Candidate],
    posts: &[Post],
    couples: &[(i64, i64)],
    adj: &Adjustments,
) -> Result<RunResult, InstanceError> {
    let by_id: HashMap<i64, &Candidate> = candidates.iter().map(|c| (c.application_id, c)).collect();
    let open: Vec<Post> = posts.iter().filter(|p| p.free > 0).cloned().collect();
    let lists: HashMap<i64, Vec<&Post>> = candidates
        .iter()
        .map(|c| (c.application_id, candidate_list(c, &open, adj)))
        .collect();
    let mut partner: HashMap<i64, i64> = HashMap::new();
    for &(a, b) in couples {
        if by_id.contains_key(&a)
            && by_id.contains_key(&b)
            && !partner.contains_key(&a)
            && !partner.contains_key(&b)
        {
            partner.insert(a, b);
            partner.insert(b, a);
        }
    }
    let mut builder = InstanceBuilder::new();
    for c in candidates {
        let id = c.application_id;
        let own = lists.get(&id).map(Vec::as_slice).unwrap_or(&[]);
        match partner.get(&id) {
            None => {
                builder.applicant(a_name(id), own.iter().map(|p| p_name(p.id)))?;
            }
            Some(&other) if id < other => {
                let theirs = lists.get(&other).map(Vec::as_slice).unwrap_or(&[]);
                let pairs = couple_pairs(own, theirs);
                builder.couple(
                    [a_name(id), a_name(other)],
                    pairs.into_iter().map(|(p, q)| [p_name(p), p_name(q)]),
                )?;
            }
            Some(_) => {}
        }
    }
    for p in &open {
        let capacity = u32::try_from(p.free).unwrap_or(u32::MAX);
        builder.post(
            p_name(p.id),
            capacity,
            post_priority(p, candidates, adj)
                .into_iter()
                .map(|c| a_name(c.application_id)),
        )?;
    }
    let instance = builder.build()?;
    let outcome = place(&instance);
    let explainer = Explainer::new(&instance, &outcome.matching);
    let posts_by_id: HashMap<i64, &Post> = posts.iter().map(|p| (p.id, p)).collect();
    let mut result = RunResult {
        stable: outcome.verdict.is_stable(),
        ..RunResult::default()
    };
    let mut filled: HashMap<i64, i64> = HashMap::new();
    for a in instance.applicants() {
        let id = parse_id(instance.applicant_name(a));
        let Some(c) = by_id.get(&id) else { continue };
        let post_id = outcome.matching.post(a).map(|p| parse_id(instance.post_name(p)));
        let area_choice = match post_id.and_then(|p| posts_by_id.get(&p)) {
            Some(p) => area_rank(c, p),
            None => 0,
        };
        if let Some(p) = post_id {
            *filled.entry(p).or_default() += 1;
        }
        let slot = if area_choice == 0 {
            4
        } else {
            usize::from(area_choice - 1)
        };
        if let Some(n) = result.by_area_choice.get_mut(slot) {
            *n += 1;
        }
        result.rows.push(RunRow {
            application_id: id,
            reference: c.reference.clone(),
            name: c.name.clone(),
            position: c.position.clone(),
            post_id,
            area_choice,
            explanation: explainer.explain(a),
            circumstances: c.circumstances.clone(),
            partner: partner.get(&id).copied(),
            choices: lists.get(&id).map_or(0, Vec::len),
        });
    }
    result.rows.sort_by(|a, b| {
        a.reference
            .cmp(&b.reference)
            .then(a.application_id.cmp(&b.application_id))
    });
    let who = |a| {
        let id = parse_id(instance.applicant_name(a));
        by_id
            .get(&id)
            .map_or_else(|| id.to_string(), |c| c.reference.clone())
    };
    let label = |p| {
        let id = parse_id(instance.post_name(p));
        posts_by_id
            .get(&id)
            .map_or_else(|| id.to_string(), |p| p.label.clone())
    };
    for b in &outcome.verdict.blocking_pairs {
        result.blocking.push(match *b {
            BlockingPair::Single { applicant, post } => format!("{} and {}", who(applicant), label(post)),
            BlockingPair::Couple { couple, posts } => {
                let [m0, m1] = instance.members(couple);
                format!(
                    "{} and {} with {} and {}",
                    who(m0),
                    who(m1),
                    label(posts[0]),
                    label(posts[1])
                )
            }
        });
    }
    for p in posts {
        result.posts.push(PostFill {
            post_id: p.id,
            label: p.label.clone(),
            held: p.held,
            free: p.free.max(0),
            filled: filled.get(&p.id).copied().unwrap_or(0),
        });
    }
    result
        .posts
        .sort_by(|a, b| a.label.cmp(&b.label).then(a.post_id.cmp(&b.post_id)));
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(id: i64, areas: &[&str], setting: &str, score: Option<f64>) -> Candidate {
        Candidate {
            application_id: id,
            reference: format!("JET27-UK-{id:06}"),
            name: format!("C{id}"),
            position: "alt".into(),
            areas: areas.iter().map(|s| s.to_string()).collect(),
            setting: setting.into(),
            score,
            jlpt: Some(JlptLevel::N3),
            ..Candidate::default()
        }
    }

    fn post(id: i64, area: &str, setting: &str, free: i64) -> Post {
        Post {
            id,
            org_id: id,
            label: format!("Org{id} ALT"),
            position: "alt".into(),
            free,
            area: area.into(),
            setting: setting.into(),
            ..Post::default()
        }
    }

    #[test]
    fn a_candidates_list_follows_their_areas_then_their_setting() {
        let c = cand(1, &["iwate", "city-sapporo"], "rural", None);
        let posts = [
            post(1, "okinawa", "urban", 1),
            post(2, "city-sapporo", "urban", 1),
            post(3, "iwate", "rural", 1),
            post(4, "kochi", "rural", 1),
            post(5, "tokyo", "urban", 0),
        ];
        let list: Vec<i64> = candidate_list(&c, &posts, &Adjustments::default())
            .iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(list, [3, 2, 4, 1]);
    }

    #[test]
    fn a_prefecture_choice_covers_its_designated_cities_but_not_the_reverse() {
        let hokkaido = cand(1, &["hokkaido"], "any", None);
        let sapporo = cand(2, &["city-sapporo"], "any", None);
        assert_eq!(area_rank(&hokkaido, &post(1, "city-sapporo", "urban", 1)), 1);
        assert_eq!(area_rank(&sapporo, &post(2, "hokkaido", "rural", 1)), 4);
    }

    #[test]
    fn requirements_pins_and_forbids_make_posts_unacceptable() {
        let mut c = cand(1, &["iwate"], "any", None);
        let mut p = post(7, "iwate", "rural", 1);
        p.min_jlpt = Some(JlptLevel::N2);
        let adj = Adjustments::default();
        assert!(!acceptable(&c, &p, &adj));
        c.jlpt = Some(JlptLevel::N1);
        assert!(acceptable(&c, &p, &adj));
        p.licence = true;
        assert!(acceptable(&c, &p, &adj), "an unknown licence is not refused");
        c.licence = Some(false);
        assert!(!acceptable(&c, &p, &adj));
        c.licence = Some(true);
        let mut adj = Adjustments::default();
        adj.forbids.insert((1, 7));
        assert!(!acceptable(&c, &p, &adj));
        let mut adj = Adjustments::default();
        adj.pins.insert(1, 8);
        assert!(!acceptable(&c, &p, &adj));
    }

    #[test]
    fn a_post_ranks_pins_then_sister_cities_then_scores_then_fit() {
        let mut p = post(1, "iwate", "rural", 2);
        p.sister_cities = vec!["leeds".into()];
        let mut sister = cand(1, &[], "urban", Some(10.0));
        sister.home_town = "Leeds, West Yorkshire".into();
        let best = cand(2, &[], "any", Some(30.0));
        let fit = cand(3, &["iwate"], "rural", Some(20.0));
        let unfit = cand(4, &[], "urban", Some(20.0));
        let unscored = cand(5, &["iwate"], "rural", None);
        let pinned = cand(6, &[], "urban", None);
        let all = [sister, best, fit, unfit, unscored, pinned];
        let mut adj = Adjustments::default();
        adj.pins.insert(6, 1);
        let order: Vec<i64> = post_priority(&p, &all, &adj)
            .iter()
            .map(|c| c.application_id)
            .collect();
        assert_eq!(order, [6, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn a_run_places_by_score_and_explains() {
        let cands = [
            cand(1, &["iwate"], "any", Some(10.0)),
            cand(2, &["iwate"], "any", Some(20.0)),
        ];
        let posts = [post(1, "iwate", "rural", 1), post(2, "kochi", "rural", 1)];
        let r = run(&cands, &posts, &[], &Adjustments::default()).unwrap();
        assert!(r.stable);
        let placed: Vec<_> = r.rows.iter().map(|r| (r.application_id, r.post_id)).collect();
        assert_eq!(placed, [(1, Some(2)), (2, Some(1))]);
        assert_eq!(r.by_area_choice, [1, 0, 0, 1, 0]);
        assert!(
            r.rows[0].explanation.contains("1st choice"),
            "{}",
            r.rows[0].explanation
        );
    }

    #[test]
    fn a_couple_is_placed_together_in_one_prefecture() {
        let mut a = cand(1, &["iwate"], "any", Some(10.0));
        a.position = "cir".into();
        let b = cand(2, &["kochi"], "any", Some(10.0));
        let mut cir = post(1, "iwate", "urban", 1);
        cir.position = "cir".into();
        let posts = [cir, post(2, "kochi", "rural", 1), post(3, "iwate", "rural", 1)];
        let r = run(&[a, b], &posts, &[(1, 2)], &Adjustments::default()).unwrap();
        let placed: Vec<_> = r
            .rows
            .iter()
            .map(|r| (r.application_id, r.post_id, r.partner))
            .collect();
        assert_eq!(placed, [(1, Some(1), Some(2)), (2, Some(3), Some(1))]);
    }
}
