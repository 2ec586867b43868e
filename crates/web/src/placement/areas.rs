//! Japan's 47 prefectures and 20 designated cities as static data, under the same area codes the
//! application form's placement preferences use (`applications::sections::AREAS`), so an
//! organisation's area and an applicant's choice match by simple equality.

/// The eight regions: (code, English, Japanese).
pub const REGIONS: &[(&str, &str, &str)] = &[
    ("hokkaido", "Hokkaido", "北海道"),
    ("tohoku", "Tohoku", "東北"),
    ("kanto", "Kanto", "関東"),
    ("chubu", "Chubu", "中部"),
    ("kinki", "Kinki (Kansai)", "近畿"),
    ("chugoku", "Chugoku", "中国"),
    ("shikoku", "Shikoku", "四国"),
    ("kyushu", "Kyushu and Okinawa", "九州・沖縄"),
];

/// A prefecture: area code, English name, Japanese name, region code.
pub struct Prefecture {
    /// Area code (`iwate`).
    pub code: &'static str,
    /// English name.
    pub en: &'static str,
    /// Japanese name.
    pub ja: &'static str,
    /// Region code.
    pub region: &'static str,
}

const fn p(code: &'static str, en: &'static str, ja: &'static str, region: &'static str) -> Prefecture {
    Prefecture { code, en, ja, region }
}

/// The 47 prefectures, in the customary north-to-south order.
pub const PREFECTURES: &[Prefecture] = &[
    p("hokkaido", "Hokkaido", "北海道", "hokkaido"),
    p("aomori", "Aomori", "青森県", "tohoku"),
    p("iwate", "Iwate", "岩手県", "tohoku"),
    p("miyagi", "Miyagi", "宮城県", "tohoku"),
    p("akita", "Akita", "秋田県", "tohoku"),
    p("yamagata", "Yamagata", "山形県", "tohoku"),
    p("fukushima", "Fukushima", "福島県", "tohoku"),
    p("ibaraki", "Ibaraki", "茨城県", "kanto"),
    p("tochigi", "Tochigi", "栃木県", "kanto"),
    p("gunma", "Gunma", "群馬県", "kanto"),
    p("saitama", "Saitama", "埼玉県", "kanto"),
    p("chiba", "Chiba", "千葉県", "kanto"),
    p("tokyo", "Tokyo", "東京都", "kanto"),
    p("kanagawa", "Kanagawa", "神奈川県", "kanto"),
    p("niigata", "Niigata", "新潟県", "chubu"),
    p("toyama", "Toyama", "富山県", "chubu"),
    p("ishikawa", "Ishikawa", "石川県", "chubu"),
    p("fukui", "Fukui", "福井県", "chubu"),
    p("yamanashi", "Yamanashi", "山梨県", "chubu"),
    p("nagano", "Nagano", "長野県", "chubu"),
    p("gifu", "Gifu", "岐阜県", "chubu"),
    p("shizuoka", "Shizuoka", "静岡県", "chubu"),
    p("aichi", "Aichi", "愛知県", "chubu"),
    p("mie", "Mie", "三重県", "kinki"),
    p("shiga", "Shiga", "滋賀県", "kinki"),
    p("kyoto", "Kyoto", "京都府", "kinki"),
    p("osaka", "Osaka", "大阪府", "kinki"),
    p("hyogo", "Hyogo", "兵庫県", "kinki"),
    p("nara", "Nara", "奈良県", "kinki"),
    p("wakayama", "Wakayama", "和歌山県", "kinki"),
    p("tottori", "Tottori", "鳥取県", "chugoku"),
    p("shimane", "Shimane", "島根県", "chugoku"),
    p("okayama", "Okayama", "岡山県", "chugoku"),
    p("hiroshima", "Hiroshima", "広島県", "chugoku"),
    p("yamaguchi", "Yamaguchi", "山口県", "chugoku"),
    p("tokushima", "Tokushima", "徳島県", "shikoku"),
    p("kagawa", "Kagawa", "香川県", "shikoku"),
    p("ehime", "Ehime", "愛媛県", "shikoku"),
    p("kochi", "Kochi", "高知県", "shikoku"),
    p("fukuoka", "Fukuoka", "福岡県", "kyushu"),
    p("saga", "Saga", "佐賀県", "kyushu"),
    p("nagasaki", "Nagasaki", "長崎県", "kyushu"),
    p("kumamoto", "Kumamoto", "熊本県", "kyushu"),
    p("oita", "Oita", "大分県", "kyushu"),
    p("miyazaki", "Miyazaki", "宮崎県", "kyushu"),
    p("kagoshima", "Kagoshima", "鹿児島県", "kyushu"),
    p("okinawa", "Okinawa", "沖縄県", "kyushu"),
];

/// A designated city: area code, English name, Japanese name, its prefecture's code.
pub struct DesignatedCity {
    /// Area code (`city-sapporo`).
    pub code: &'static str,
    /// English name.
    pub en: &'static str,
    /// Japanese name.
    pub ja: &'static str,
    /// The prefecture's area code.
    pub prefecture: &'static str,
}

const fn d(
    code: &'static str,
    en: &'static str,
    ja: &'static str,
    prefecture: &'static str,
) -> DesignatedCity {
    DesignatedCity {
        code,
        en,
        ja,
        prefecture,
    }
}

/// The 20 designated cities.
pub const DESIGNATED_CITIES: &[DesignatedCity] = &[
    d("city-sapporo", "Sapporo City", "札幌市", "hokkaido"),
    d("city-sendai", "Sendai City", "仙台市", "miyagi"),
    d("city-saitama", "Saitama City", "さいたま市", "saitama"),
    d("city-chiba", "Chiba City", "千葉市", "chiba"),
    d("city-yokohama", "Yokohama City", "横浜市", "kanagawa"),
    d("city-kawasaki", "Kawasaki City", "川崎市", "kanagawa"),
    d("city-sagamihara", "Sagamihara City", "相模原市", "kanagawa"),
    d("city-niigata", "Niigata City", "新潟市", "niigata"),
    d("city-shizuoka", "Shizuoka City", "静岡市", "shizuoka"),
    d("city-hamamatsu", "Hamamatsu City", "浜松市", "shizuoka"),
    d("city-nagoya", "Nagoya City", "名古屋市", "aichi"),
    d("city-kyoto", "Kyoto City", "京都市", "kyoto"),
    d("city-osaka", "Osaka City", "大阪市", "osaka"),
    d("city-sakai", "Sakai City", "堺市", "osaka"),
    d("city-kobe", "Kobe City", "神戸市", "hyogo"),
    d("city-okayama", "Okayama City", "岡山市", "okayama"),
    d("city-hiroshima", "Hiroshima City", "広島市", "hiroshima"),
    d("city-kitakyushu", "Kitakyushu City", "北九州市", "fukuoka"),
    d("city-fukuoka", "Fukuoka City", "福岡市", "fukuoka"),
    d("city-kumamoto", "Kumamoto City", "熊本市", "kumamoto"),
];

/// The prefecture with this area code.
pub fn prefecture(code: &str) -> Option<&'static Prefecture> {
    PREFECTURES.iter().find(|p| p.code == code)
}

/// The prefecture an area is in: itself for a prefecture, its prefecture for a designated city.
pub fn prefecture_of(area: &str) -> Option<&'static Prefecture> {
    prefecture(area).or_else(|| {
        DESIGNATED_CITIES
            .iter()
            .find(|c| c.code == area)
            .and_then(|c| prefecture(c.prefecture))
    })
}

/// An area's name in English and Japanese (prefecture or designated city).
pub fn area_names(area: &str) -> Option<(&'static str, &'static str)> {
    prefecture(area).map(|p| (p.en, p.ja)).or_else(|| {
        DESIGNATED_CITIES
            .iter()
            .find(|c| c.code == area)
            .map(|c| (c.en, c.ja))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::applications::sections::AREAS;

    #[test]
    fn the_areas_are_exactly_the_application_forms_preferences() {
        let ours: Vec<&str> = PREFECTURES
            .iter()
            .map(|p| p.code)
            .chain(DESIGNATED_CITIES.iter().map(|c| c.code))
            .collect();
        let form: Vec<&str> = AREAS.iter().map(|(c, _)| *c).filter(|c| !c.is_empty()).collect();
        assert_eq!(ours, form);
        assert_eq!(PREFECTURES.len(), 47);
        assert_eq!(DESIGNATED_CITIES.len(), 20);
    }

    #[test]
    fn every_prefecture_has_a_known_region_and_every_city_a_prefecture() {
        for p in PREFECTURES {
            assert!(REGIONS.iter().any(|r| r.0 == p.region), "{}", p.code);
        }
        for c in DESIGNATED_CITIES {
            assert!(prefecture(c.prefecture).is_some(), "{}", c.code);
        }
        assert_eq!(prefecture_of("city-sapporo").map(|p| p.code), Some("hokkaido"));
        assert_eq!(area_names("iwate"), Some(("Iwate", "岩手県")));
    }
}
