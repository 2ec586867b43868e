//! Automatic reviewer assignment: the rule, apart from the database so it can be tested alone.
//!
//! Each application gets reviewers until it has `per_application` of them. For every missing
//! reviewer the least-loaded reviewer is chosen (load = assignments in the round, counting those
//! made in this run), skipping anyone already on the application or who declared a conflict with
//! it; ties go to the lower user id, so a run is deterministic. Applications are served in the
//! order given (oldest submission first). Without conflicts the loads differ by at most one.

use std::collections::{BTreeMap, BTreeSet};

/// What the assignment rule needs to know about one application.
#[derive(Debug, Clone)]
pub struct Need {
    /// The application.
    pub application_id: i64,
    /// Reviewers it already has.
    pub assigned: BTreeSet<i64>,
}

/// The result of a run: new (application, reviewer) pairs, and applications that could not get
/// enough reviewers (with how many are still missing).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Plan {
    /// New assignments, in the order they were made.
    pub pairs: Vec<(i64, i64)>,
    /// (application, reviewers still missing) where too few reviewers were free of conflicts.
    pub short: Vec<(i64, usize)>,
}

/// Assigns reviewers to `needs` (see the module docs). `loads` is each reviewer's current number
/// of assignments in the round (every reviewer must be listed, with 0 if none); `conflicts` holds
/// (application, reviewer) pairs that must never be assigned.
pub fn plan(
    needs: &[Need],
    loads: &BTreeMap<i64, usize>,
    conflicts: &BTreeSet<(i64, i64)>,
    per_application: usize,
) -> Plan {
    let mut loads = loads.clone();
    let mut out = Plan::default();
    for need in needs {
        let mut assigned = need.assigned.clone();
        while assigned.len() < per_application {
            let choice = loads
                .iter()
                .filter(|(r, _)| !assigned.contains(r) && !conflicts.contains(&(need.application_id, **r)))
                .min_by_key(|(r, load)| (**load, **r))
                .map(|(r, _)| *r);
            let Some(reviewer) = choice else {
                out.short
                    .push((need.application_id, per_application - assigned.len()));
                break;
            };
            assigned.insert(reviewer);
            *loads.entry(reviewer).or_insert(0) += 1;
            out.pairs.push((need.application_id, reviewer));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needs(n: i64) -> Vec<Need> {
        (1..=n)
            .map(|id| Need {
                application_id: id,
                assigned: BTreeSet::new(),
            })
            .collect()
    }

    fn loads(reviewers: &[i64]) -> BTreeMap<i64, usize> {
        reviewers.iter().map(|r| (*r, 0)).collect()
    }

    #[test]
    fn two_distinct_reviewers_each_and_loads_within_one() {
        let p = plan(&needs(7), &loads(&[10, 11, 12]), &BTreeSet::new(), 2);
        assert_eq!(p.pairs.len(), 14);
        assert!(p.short.is_empty());
        let mut per_reviewer = BTreeMap::new();
        for app in 1..=7 {
            let rs: BTreeSet<_> = p
                .pairs
                .iter()
                .filter(|(a, _)| *a == app)
                .map(|(_, r)| *r)
                .collect();
            assert_eq!(rs.len(), 2, "application {app} has two different reviewers");
        }
        for (_, r) in &p.pairs {
            *per_reviewer.entry(*r).or_insert(0) += 1;
        }
        let max = per_reviewer.values().max().unwrap();
        let min = per_reviewer.values().min().unwrap();
        assert!(max - min <= 1, "{per_reviewer:?}");
    }

    #[test]
    fn a_declared_conflict_is_never_assigned() {
        let conflicts: BTreeSet<_> = [(1, 10), (2, 11)].into_iter().collect();
        let p = plan(&needs(3), &loads(&[10, 11, 12]), &conflicts, 2);
        assert!(!p.pairs.contains(&(1, 10)));
        assert!(!p.pairs.contains(&(2, 11)));
        assert_eq!(p.pairs.len(), 6);
    }

    #[test]
    fn too_few_free_reviewers_are_reported_not_forced() {
        let conflicts: BTreeSet<_> = [(1, 10)].into_iter().collect();
        let p = plan(&needs(1), &loads(&[10, 11]), &conflicts, 2);
        assert_eq!(p.pairs, vec![(1, 11)]);
        assert_eq!(p.short, vec![(1, 1)]);
    }

    #[test]
    fn existing_assignments_count_and_are_kept() {
        let mut n = needs(2);
        if let Some(first) = n.first_mut() {
            first.assigned.insert(10);
        }
        let mut l = loads(&[10, 11, 12]);
        l.insert(10, 5);
        let p = plan(&n, &l, &BTreeSet::new(), 2);
        assert_eq!(p.pairs, vec![(1, 11), (2, 12), (2, 11)]);
    }
}
