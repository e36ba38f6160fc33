//! The data-quality report as printed by `loupe quality --json` and served by
//! the API: counts, attribute coverage, and every issue with its product and
//! source line.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::wire::catalog::IssueOut;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QualityReportOut {
    pub products: usize,
    pub variants: usize,
    /// Products carrying each normalized attribute (`price`, `metal`, `karat`,
    /// `stone`, `carat`, `category`, `gender`, `size`, ...).
    pub coverage: BTreeMap<String, usize>,
    /// Products per category (`uncategorized` for none).
    pub categories: BTreeMap<String, usize>,
    /// Products per metal kind.
    pub metals: BTreeMap<String, usize>,
    /// Issues per code.
    pub issue_counts: BTreeMap<String, usize>,
    pub issues_total: usize,
    /// At most [`QualityReportOut::MAX_ISSUES`] issues.
    pub issues: Vec<ProductIssueOut>,
}

impl QualityReportOut {
    pub const MAX_ISSUES: usize = 5000;
}

/// An issue with the product it belongs to (`null` for a skipped row).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductIssueOut {
    pub handle: Option<String>,
    #[serde(flatten)]
    pub issue: IssueOut,
}

impl From<&catalog::QualityReport> for QualityReportOut {
    fn from(r: &catalog::QualityReport) -> QualityReportOut {
        QualityReportOut {
            products: r.products,
            variants: r.variants,
            coverage: r.attributes.pairs().into_iter().map(|(k, v)| (k.to_string(), v)).collect(),
            categories: r.categories.clone(),
            metals: r.metals.clone(),
            issue_counts: r.issue_counts.clone(),
            issues_total: r.issues.len(),
            issues: r
                .issues
                .iter()
                .take(QualityReportOut::MAX_ISSUES)
                .map(|i| ProductIssueOut { handle: i.handle.clone(), issue: IssueOut::from(&i.issue) })
                .collect(),
        }
    }
}
