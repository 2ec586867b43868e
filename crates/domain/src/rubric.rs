//! The reviewers' scoring rubric per position, as data: each criterion with an anchored descriptor
//! for every score from [`MIN_SCORE`] to [`MAX_SCORE`], in English and Japanese. Also the rules
//! that read reviewers' scores: whether a sheet is complete and in range ([`Rubric::score`]) and
//! whether two reviewers disagree enough to need moderation ([`needs_moderation`]).
//!
//! This module must never know who may score what (that is the web layer's business) nor where
//! scores are stored.

use crate::Position;
use std::collections::BTreeMap;

/// The lowest score a criterion can be given.
pub const MIN_SCORE: i64 = 1;
/// The highest score a criterion can be given.
pub const MAX_SCORE: i64 = 5;

/// One criterion of a rubric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Criterion {
    /// Stable id, used as the form field and in stored score sheets, e.g. "motivation".
    pub id: &'static str,
    /// The criterion's name in English.
    pub title_en: &'static str,
    /// The criterion's name in Japanese.
    pub title_ja: &'static str,
    /// What each score means, in English: index 0 is score 1, index 4 is score 5.
    pub anchors_en: [&'static str; 5],
    /// What each score means, in Japanese, in the same order.
    pub anchors_ja: [&'static str; 5],
}

const MOTIVATION: Criterion = Criterion {
    id: "motivation",
    title_en: "Motivation",
    title_ja: "志望動機",
    anchors_en: [
        "No clear reason for applying; JET seems a gap-year default.",
        "General interest in Japan, little link to the programme's aims.",
        "Clear reasons, linked to the programme, with some evidence.",
        "Well-argued reasons backed by concrete steps already taken.",
        "Compelling, specific and sustained commitment to the programme's aims.",
    ],
    anchors_ja: [
        "応募理由が明確でない。",
        "日本への一般的な関心はあるが、プログラムの目的との関連が薄い。",
        "プログラムと結びついた明確な理由があり、一定の裏付けがある。",
        "具体的な行動に裏付けられた、よく考えられた理由がある。",
        "プログラムの目的への具体的で一貫した強い意志がある。",
    ],
};

const SUITABILITY: Criterion = Criterion {
    id: "suitability",
    title_en: "Suitability for the role",
    title_ja: "職務への適性",
    anchors_en: [
        "Shows no understanding of what the role involves.",
        "Limited understanding; few relevant skills shown.",
        "Understands the role; some relevant skills with examples.",
        "Good understanding; several relevant skills with clear examples.",
        "Excellent understanding; strong, well-evidenced skills for the role.",
    ],
    anchors_ja: [
        "職務内容をまったく理解していない。",
        "理解が限られ、関連する能力がほとんど示されていない。",
        "職務を理解し、例を伴う関連能力がある程度ある。",
        "よく理解し、明確な例を伴う関連能力が複数ある。",
        "職務を深く理解し、十分に裏付けられた高い能力がある。",
    ],
};

const ADAPTABILITY: Criterion = Criterion {
    id: "adaptability",
    title_en: "Adaptability",
    title_ja: "適応力",
    anchors_en: [
        "No evidence of coping with change or an unfamiliar setting.",
        "Little evidence; expects things to be as at home.",
        "Some evidence of adapting to new people or places.",
        "Good evidence of adapting, with reflection on what was learnt.",
        "Outstanding evidence of thriving in unfamiliar settings, with insight.",
    ],
    anchors_ja: [
        "変化や慣れない環境への対応を示すものがない。",
        "ほとんど示されておらず、自国と同じ環境を期待している。",
        "新しい人や場所に適応した経験がある程度ある。",
        "適応した経験がよく示され、学んだことを振り返っている。",
        "慣れない環境で活躍した経験が際立っており、洞察がある。",
    ],
};

const COMMUNICATION: Criterion = Criterion {
    id: "communication",
    title_en: "Communication",
    title_ja: "コミュニケーション",
    anchors_en: [
        "Hard to follow; many errors.",
        "Understandable but disorganised or unclear in places.",
        "Clear and organised, with few errors.",
        "Clear, well organised and engaging.",
        "Exceptionally clear, concise and persuasive.",
    ],
    anchors_ja: [
        "わかりにくく、誤りが多い。",
        "理解はできるが、構成や表現が不明瞭な箇所がある。",
        "明確で整理されており、誤りが少ない。",
        "明確でよく整理され、読み手を引きつける。",
        "非常に明確で簡潔、説得力がある。",
    ],
};

const TEACHING: Criterion = Criterion {
    id: "teaching",
    title_en: "Teaching potential",
    title_ja: "指導の資質",
    anchors_en: [
        "No interest in or experience of working with young people.",
        "Some interest, no relevant experience.",
        "Some experience of teaching, tutoring or youth work.",
        "Good experience, with a sense of how children learn a language.",
        "Substantial experience (e.g. TEFL/CELTA, classroom) and clear ideas for team teaching.",
    ],
    anchors_ja: [
        "若い人と関わることへの関心も経験もない。",
        "関心はあるが、関連する経験がない。",
        "指導、家庭教師、青少年活動の経験がある程度ある。",
        "十分な経験があり、子どもの言語習得を理解している。",
        "豊富な経験（TEFL/CELTA、教室での指導など）があり、ティームティーチングの明確な考えがある。",
    ],
};

const EXCHANGE: Criterion = Criterion {
    id: "exchange",
    title_en: "International exchange experience",
    title_ja: "国際交流の経験",
    anchors_en: [
        "No experience of international exchange.",
        "Occasional involvement (attending events).",
        "Regular involvement in exchange or community activities.",
        "Organised or led exchange activities.",
        "Sustained leadership in exchange, with clear results.",
    ],
    anchors_ja: [
        "国際交流の経験がない。",
        "時折参加した程度（イベントへの参加など）。",
        "交流や地域活動に定期的に関わっている。",
        "交流活動を企画・運営した経験がある。",
        "交流活動を継続して主導し、明確な成果がある。",
    ],
};

const JAPANESE: Criterion = Criterion {
    id: "japanese",
    title_en: "Japanese",
    title_ja: "日本語能力",
    anchors_en: [
        "Below JLPT N4 or no evidence.",
        "About N3: everyday conversation only.",
        "About N2: the programme's minimum, with some evidence.",
        "N2 with strong evidence, or about N1.",
        "N1 or equivalent, with translation or interpreting experience.",
    ],
    anchors_ja: [
        "JLPT N4 未満、または根拠がない。",
        "N3 程度：日常会話のみ。",
        "N2 程度：プログラムの最低水準で、一定の根拠がある。",
        "十分な根拠のある N2、または N1 程度。",
        "N1 相当で、翻訳・通訳の経験がある。",
    ],
};

const ALT_CRITERIA: &[Criterion] = &[MOTIVATION, SUITABILITY, ADAPTABILITY, COMMUNICATION, TEACHING];
const CIR_CRITERIA: &[Criterion] = &[
    MOTIVATION,
    SUITABILITY,
    ADAPTABILITY,
    COMMUNICATION,
    EXCHANGE,
    JAPANESE,
];
const SEA_CRITERIA: &[Criterion] = &[MOTIVATION, SUITABILITY, ADAPTABILITY, COMMUNICATION];

/// The criteria reviewers score for one position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rubric {
    /// The position it is for.
    pub position: Position,
    /// Its criteria, in the order the form shows them.
    pub criteria: &'static [Criterion],
}

/// A score sheet that cannot be accepted, with the criterion it is about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScoreError {
    /// A criterion was left without a score.
    #[error("give a score for {0}")]
    Missing(&'static str),
    /// A score was not a whole number from 1 to 5.
    #[error("the score for {0} must be a whole number from 1 to 5")]
    OutOfRange(&'static str),
}

impl ScoreError {
    /// The id of the criterion the error is about.
    pub fn criterion(&self) -> &'static str {
        match self {
            ScoreError::Missing(c) | ScoreError::OutOfRange(c) => c,
        }
    }
}

impl Rubric {
    /// The rubric for `position`: the four common criteria, plus teaching potential for ALT, and
    /// international exchange experience and Japanese for CIR.
    ///
    /// ```
    /// use jetdesk_domain::{rubric::Rubric, Position};
    /// let ids: Vec<_> = Rubric::for_position(Position::Cir).criteria.iter().map(|c| c.id).collect();
    /// assert_eq!(ids, ["motivation", "suitability", "adaptability", "communication", "exchange", "japanese"]);
    /// ```
    pub fn for_position(position: Position) -> Rubric {
        let criteria = match position {
            Position::Alt => ALT_CRITERIA,
            Position::Cir => CIR_CRITERIA,
            Position::Sea => SEA_CRITERIA,
        };
        Rubric { position, criteria }
    }

    /// The highest total a sheet can reach (every criterion at [`MAX_SCORE`]).
    pub fn max_total(&self) -> i64 {
        MAX_SCORE * self.criteria.len() as i64
    }

    /// Reads a sheet of (criterion id, typed value) pairs: every criterion needs a whole number
    /// from 1 to 5; unknown ids are ignored. Returns each criterion's score in rubric order, or
    /// every problem found.
    ///
    /// # Errors
    /// One [`ScoreError`] per criterion that is missing or out of range.
    pub fn score(
        &self,
        sheet: &BTreeMap<String, String>,
    ) -> Result<Vec<(&'static str, i64)>, Vec<ScoreError>> {
        let mut scores = Vec::new();
        let mut errors = Vec::new();
        for c in self.criteria {
            match sheet.get(c.id).map(|v| v.trim()).filter(|v| !v.is_empty()) {
                None => errors.push(ScoreError::Missing(c.id)),
                Some(v) => match v.parse::<i64>() {
                    Ok(n) if (MIN_SCORE..=MAX_SCORE).contains(&n) => scores.push((c.id, n)),
                    _ => errors.push(ScoreError::OutOfRange(c.id)),
                },
            }
        }
        if errors.is_empty() {
            Ok(scores)
        } else {
            Err(errors)
        }
    }
}

/// Whether reviewers' totals differ by more than `margin` (the highest minus the lowest), so that
/// the coordinator must moderate. Fewer than two totals never need moderation.
///
/// ```
/// use jetdesk_domain::rubric::needs_moderation;
/// assert!(!needs_moderation(&[18, 14], 4));
/// assert!(needs_moderation(&[19, 14], 4));
/// ```
pub fn needs_moderation(totals: &[i64], margin: i64) -> bool {
    match (totals.iter().max(), totals.iter().min()) {
        (Some(hi), Some(lo)) if totals.len() >= 2 => hi - lo > margin,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn alt_adds_teaching_potential_to_the_common_criteria() {
        let ids: Vec<_> = Rubric::for_position(Position::Alt)
            .criteria
            .iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(
            ids,
            [
                "motivation",
                "suitability",
                "adaptability",
                "communication",
                "teaching"
            ]
        );
        assert_eq!(Rubric::for_position(Position::Alt).max_total(), 25);
        assert_eq!(Rubric::for_position(Position::Cir).max_total(), 30);
    }

    #[test]
    fn every_criterion_has_a_descriptor_for_every_score_in_both_languages() {
        for p in Position::ALL {
            for c in Rubric::for_position(p).criteria {
                assert!(c.anchors_en.iter().all(|a| !a.is_empty()), "{}", c.id);
                assert!(c.anchors_ja.iter().all(|a| !a.is_empty()), "{}", c.id);
                assert!(!c.title_ja.is_empty());
            }
        }
    }

    #[test]
    fn a_complete_sheet_in_range_is_read_in_rubric_order() {
        let r = Rubric::for_position(Position::Alt);
        let s = sheet(&[
            ("teaching", "5"),
            ("motivation", "4"),
            ("suitability", " 3 "),
            ("adaptability", "1"),
            ("communication", "2"),
            ("unknown", "9"),
        ]);
        let scores = r.score(&s).unwrap();
        assert_eq!(scores.first(), Some(&("motivation", 4)));
        assert_eq!(scores.iter().map(|(_, n)| n).sum::<i64>(), 15);
    }

    #[test]
    fn a_score_outside_one_to_five_or_missing_is_refused_per_criterion() {
        let r = Rubric::for_position(Position::Alt);
        let s = sheet(&[
            ("motivation", "6"),
            ("suitability", "0"),
            ("adaptability", "2.5"),
            ("communication", ""),
        ]);
        let errors = r.score(&s).unwrap_err();
        assert_eq!(
            errors,
            vec![
                ScoreError::OutOfRange("motivation"),
                ScoreError::OutOfRange("suitability"),
                ScoreError::OutOfRange("adaptability"),
                ScoreError::Missing("communication"),
                ScoreError::Missing("teaching"),
            ]
        );
        assert_eq!(errors.first().map(|e| e.criterion()), Some("motivation"));
    }

    #[test]
    fn moderation_is_needed_only_beyond_the_margin() {
        assert!(!needs_moderation(&[], 3));
        assert!(!needs_moderation(&[20], 0));
        assert!(!needs_moderation(&[20, 17], 3));
        assert!(needs_moderation(&[20, 16], 3));
        assert!(needs_moderation(&[10, 20, 15], 5));
    }
}
