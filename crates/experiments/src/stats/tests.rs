//! Expected values from gbstats' own test suite (growthbook/growthbook,
//! `packages/stats/tests/`), each case naming the file and test it comes from,
//! checked to gbstats' 5 decimal places; and property tests that no input panics.

use super::*;

fn mean(n: f64, sum: f64, sum_squares: f64) -> Statistic {
    Statistic::SampleMean { n, sum, sum_squares }
}

fn prop(n: f64, sum: f64) -> Statistic {
    Statistic::Proportion { n, sum }
}

fn cfg(json: &str) -> Config {
    serde_json::from_str(json).unwrap()
}

/// Rounds as numpy's `np.round(x, 5)` does before gbstats' tests compare.
fn r5(x: f64) -> f64 {
    (x * 1e5).round() / 1e5
}

#[track_caller]
fn near(got: f64, want: f64) {
    if want.is_infinite() {
        assert_eq!(got, want);
        return;
    }
    // gbstats' expected numbers are themselves rounded to 5 places.
    assert!((got - want).abs() <= 1.0000001e-5, "got {got}, want {want}");
}

#[track_caller]
fn check_freq(a: &Analysis, expected: f64, ci: [f64; 2], stddev: f64, p: f64) {
    assert_eq!(a.error, None);
    near(a.expected, expected);
    near(a.ci[0], ci[0]);
    near(a.ci[1], ci[1]);
    near(a.uplift.mean, expected);
    near(a.uplift.stddev, stddev);
    match a.read_out {
        ReadOut::Frequentist { p_value: Some(got), .. } => near(got, p),
        ref other => panic!("expected a p-value, got {other:?}"),
    }
}

#[track_caller]
fn check_bayes(a: &Analysis, expected: f64, ci: [f64; 2], stddev: f64, ctw: f64, risk: [f64; 2]) {
    assert_eq!(a.error, None);
    near(a.expected, expected);
    near(a.ci[0], ci[0]);
    near(a.ci[1], ci[1]);
    near(a.uplift.stddev, stddev);
    match a.read_out {
        ReadOut::Bayesian { chance_to_win, risk: got } => {
            near(chance_to_win, ctw);
            near(got[0], risk[0]);
            near(got[1], risk[1]);
        }
        ref other => panic!("expected a Bayesian read-out, got {other:?}"),
    }
}

// tests/frequentist/test_tests.py, TestTwoSidedTTest.
fn two_sided_a() -> Statistic {
    mean(3407.0, 1396.87, 52377.9767)
}
fn two_sided_b() -> Statistic {
    mean(3461.0, 2422.7, 134698.29)
}

#[test]
fn frequentist_two_sided_relative() {
    // test_two_sided_ttest
    let a = analyze(&two_sided_a(), &two_sided_b(), &cfg("{}"));
    check_freq(&a, 0.70732, [-0.03526, 1.44989], 0.37879, 0.06191);
}

#[test]
fn frequentist_two_sided_absolute() {
    // test_two_sided_ttest_absolute
    let a = analyze(&two_sided_a(), &two_sided_b(), &cfg(r#"{"difference_type":"absolute"}"#));
    check_freq(&a, 0.29, [0.04538, 0.53462], 0.12478, 0.02016);
}

#[test]
fn frequentist_two_sided_binomial() {
    // test_two_sided_ttest_binom
    let a = analyze(&prop(28.0, 14.0), &prop(30.0, 16.0), &cfg("{}"));
    check_freq(&a, r5((16.0 / 30.0 - 0.5) / 0.5), [-0.47767, 0.61101], 0.2717, 0.80707);
}

#[test]
fn frequentist_missing_variance_is_the_default_output() {
    // test_two_sided_ttest_missing_variance
    let a = analyze(&mean(2.0, 1396.87, 52377.9767), &two_sided_b(), &cfg("{}"));
    assert_eq!(a, Analysis::failed(Engine::Frequentist, ZERO_NEGATIVE_VARIANCE));
}

// The RegressionAdjustedRatio pair of test_two_sided_ttest_test_runs_ratio_ra
// and test_sequential_test_runs_ratio_ra.
fn ratio_ra_a() -> Statistic {
    Statistic::RegressionAdjustedRatio {
        n: 100.0,
        m_post: Box::new(mean(100.0, 485.112236689623, 2715.484666118136)),
        d_post: Box::new(mean(100.0, 679.9093275844917, 4939.424001640236)),
        m_pre: Box::new(mean(100.0, 192.59138069991536, 460.076026390857)),
        d_pre: Box::new(mean(100.0, 290.1398399750233, 920.9461385038898)),
        m_post_m_pre_sum_of_products: 1113.6215759318352,
        d_post_d_pre_sum_of_products: 2130.9404074446747,
        m_pre_d_pre_sum_of_products: 634.239482353647,
        m_post_d_post_sum_of_products: 3602.146836776702,
        m_post_d_pre_sum_of_products: 1559.2878434944676,
        m_pre_d_post_sum_of_products: 1460.3181079276983,
        theta: None,
    }
}
fn ratio_ra_b() -> Statistic {
    Statistic::RegressionAdjustedRatio {
        n: 100.0,
        m_post: Box::new(mean(100.0, 514.7757826608777, 2994.897482705013)),
        d_post: Box::new(mean(100.0, 705.4090874383759, 5291.36604146392)),
        m_pre: Box::new(mean(100.0, 206.94157227402536, 514.2903702246757)),
        d_pre: Box::new(mean(100.0, 302.54389139107326, 994.4506208125663)),
        m_post_m_pre_sum_of_products: 1237.0953021125997,
        d_post_d_pre_sum_of_products: 2292.081739775257,
        m_pre_d_pre_sum_of_products: 698.4173425817908,
        m_post_d_post_sum_of_products: 3918.1561431600717,
        m_post_d_pre_sum_of_products: 1701.0287270040265,
        m_pre_d_post_sum_of_products: 1604.0759503266522,
        theta: None,
    }
}

#[test]
fn frequentist_two_sided_regression_adjusted_ratio() {
    // test_two_sided_ttest_test_runs_ratio_ra
    let a = analyze(&ratio_ra_a(), &ratio_ra_b(), &cfg("{}"));
    check_freq(&a, -0.0007, [-0.00841, 0.00700], 0.00391, 0.85771);
}

// tests/frequentist/test_tests.py, TestSequentialTTest and the one-sided classes.
fn seq_a() -> Statistic {
    mean(3000.0, 1396.87, 52377.9767)
}
fn seq_b() -> Statistic {
    mean(3461.0, 2422.7, 134698.29)
}

#[test]
fn sequential_two_sided() {
    // test_sequential_test_runs
    let a = analyze(&seq_a(), &seq_b(), &cfg(r#"{"sequential_tuning_parameter":1000}"#));
    check_freq(&a, 0.50336, [-0.55844, 1.56516], 0.33341, 1.0);
}

#[test]
fn sequential_two_sided_proportion() {
    // test_sequential_test_runs_prop (gbstats' default tuning parameter is 5000)
    let a = analyze(
        &prop(3000.0, 1396.0),
        &prop(3461.0, 2422.0),
        &cfg(r#"{"sequential_tuning_parameter":5000}"#),
    );
    check_freq(&a, 0.50386, [0.40098, 0.60675], 0.03386, 0.0);
}

#[test]
fn sequential_two_sided_regression_adjusted() {
    // test_sequential_test_runs_ra
    let ra = |n: f64, post: Statistic, pre: Statistic| Statistic::RegressionAdjusted {
        n,
        post: Box::new(post),
        pre: Box::new(pre),
        post_pre_sum_of_products: 1.0,
        theta: None,
    };
    let a = ra(3000.0, mean(3000.0, 1396.87, 52377.9767), mean(3000.0, 16.87, 527.9767));
    let b = ra(3461.0, mean(3461.0, 2422.7, 134698.29), mean(3461.0, 22.7, 1348.29));
    let out = analyze(&a, &b, &cfg(r#"{"sequential_tuning_parameter":5000}"#));
    check_freq(&out, 0.50338, [-0.50969, 1.51646], 0.33341, 1.0);
}

#[test]
fn sequential_two_sided_regression_adjusted_ratio() {
    // test_sequential_test_runs_ratio_ra
    let a = analyze(&ratio_ra_a(), &ratio_ra_b(), &cfg(r#"{"sequential_tuning_parameter":5000}"#));
    check_freq(&a, -0.0007, [-0.02063, 0.01923], 0.00391, 1.0);
}

#[test]
fn sequential_tuning_is_tightest_near_n() {
    // test_sequential_test_tuning_as_expected
    let ci = |t: f64| {
        let c = Config { sequential_tuning_parameter: Some(t), ..Config::default() };
        analyze(&seq_a(), &seq_b(), &c).ci
    };
    let (below, near_n, above) = (ci(10.0), ci(6461.0), ci(10000.0));
    assert!(below[0] < above[0] && below[1] > above[1]);
    assert!(below[0] < near_n[0] && below[1] > near_n[1]);
    assert!(above[0] < near_n[0] && above[1] > near_n[1]);
    // The numbers behind it, from the fixtures GrowthBook generates from gbstats
    // for its TypeScript port (packages/tsgbstats/test/fixtures/frequentist/tests.fixtures.json).
    let run = |t: f64| {
        analyze(&seq_a(), &seq_b(), &Config { sequential_tuning_parameter: Some(t), ..Config::default() })
    };
    check_freq(&run(10.0), 0.50336, [-0.76785, 1.77457], 0.33341, 1.0);
    check_freq(&run(6461.0), 0.50336, [-0.50861, 1.51534], 0.33341, 1.0);
    check_freq(&run(10000.0), 0.50336, [-0.51485, 1.52157], 0.33341, 0.95385);
}

#[test]
fn one_sided_greater() {
    // TestOneSidedGreaterTTest.test_one_sided_ttest and _absolute
    let a = analyze(&seq_a(), &seq_b(), &cfg(r#"{"alternative":"greater"}"#));
    check_freq(
        &a,
        0.5033610858562358,
        [-0.045136675850396046, f64::INFINITY],
        0.3334122146400735,
        0.06558262868467746,
    );
    let a = analyze(&seq_a(), &seq_b(), &cfg(r#"{"alternative":"greater","difference_type":"absolute"}"#));
    check_freq(
        &a,
        0.23437666666666668,
        [0.020791480063255735, f64::INFINITY],
        0.12983081254184736,
        0.03554272489873023,
    );
}

#[test]
fn one_sided_less() {
    // TestOneSidedLesserTTest: the upper bound is the estimate plus the half-width.
    let a = analyze(&seq_a(), &seq_b(), &cfg(r#"{"alternative":"less"}"#));
    check_freq(
        &a,
        0.5033610858562358,
        [f64::NEG_INFINITY, 1.0518588475628676],
        0.3334122146400735,
        0.9344173713153225,
    );
    let a = analyze(&seq_a(), &seq_b(), &cfg(r#"{"alternative":"less","difference_type":"absolute"}"#));
    check_freq(
        &a,
        0.23437666666666668,
        [f64::NEG_INFINITY, 0.44796185327007765],
        0.12983081254184736,
        0.9644572751012698,
    );
}

#[test]
fn sequential_one_sided() {
    // TestSequentialOneSidedGreaterTTest and TestSequentialOneSidedLesserTTest.
    let run = |json: &str| analyze(&seq_a(), &seq_b(), &cfg(json));
    let a = run(r#"{"alternative":"greater","sequential_tuning_parameter":5000}"#);
    check_freq(&a, 0.5033610858562358, [-0.42356454602790883, f64::INFINITY], 0.3334122146400735, 0.4999);
    let a =
        run(r#"{"alternative":"greater","sequential_tuning_parameter":5000,"difference_type":"absolute"}"#);
    check_freq(
        &a,
        0.23437666666666668,
        [-0.12656844172804982, f64::INFINITY],
        0.12983081254184736,
        0.46316491943359384,
    );
    let a = run(r#"{"alternative":"less","sequential_tuning_parameter":5000}"#);
    check_freq(&a, 0.5033610858562358, [f64::NEG_INFINITY, 1.4302867177403806], 0.3334122146400735, 0.4999);
    let a = run(r#"{"alternative":"less","sequential_tuning_parameter":5000,"difference_type":"absolute"}"#);
    check_freq(&a, 0.23437666666666668, [f64::NEG_INFINITY, 0.5953217750613832], 0.12983081254184736, 0.4999);
}

#[test]
fn sequential_one_sided_alpha_of_one_half_is_refused() {
    let a = analyze(
        &seq_a(),
        &seq_b(),
        &cfg(r#"{"alternative":"less","sequential_tuning_parameter":5000,"alpha":0.5}"#),
    );
    assert_eq!(a.error.as_deref(), Some(ALPHA_TOO_LARGE));
    assert_eq!(a.expected, 0.0);
}

// tests/bayesian/test_tests.py (EffectBayesianABTest).
#[test]
fn bayesian_binomial() {
    // TestBinom.test_bayesian_binomial_ab_test
    let a = analyze(&prop(100.0, 49.0), &prop(100.0, 51.0), &cfg(r#"{"engine":"bayesian"}"#));
    check_bayes(&a, 0.04082, [-0.24779, 0.32943], 0.14725, 0.60918, [0.0814, 0.04058]);
}

#[test]
fn bayesian_missing_data() {
    // TestBinom.test_missing_data and TestNorm.test_missing_data
    for (a, b) in [(prop(0.0, 0.0), prop(0.0, 0.0)), (mean(0.0, 0.0, 0.0), mean(0.0, 0.0, 0.0))] {
        let out = analyze(&a, &b, &cfg(r#"{"engine":"bayesian"}"#));
        assert_eq!(out.expected, 0.0);
        assert!(matches!(out.read_out, ReadOut::Bayesian { chance_to_win, .. } if chance_to_win == 0.5));
        // The fixtures of packages/tsgbstats name the message.
        assert_eq!(out.error.as_deref(), Some(ZERO_NEGATIVE_VARIANCE));
    }
}

#[test]
fn bayesian_gaussian() {
    // TestNorm.test_bayesian_gaussian_ab_test
    let a =
        analyze(&mean(10.0, 100.0, 1002.25), &mean(10.0, 105.0, 1111.5), &cfg(r#"{"engine":"bayesian"}"#));
    check_bayes(&a, 0.05, [-0.02, 0.12], 0.03572, 0.91923, [0.05131, 0.00131]);
}

#[test]
fn bayesian_gaussian_informative_prior() {
    // TestNorm.test_bayesian_gaussian_ab_test_informative
    let c = cfg(r#"{"engine":"bayesian","prior":{"mean":0.1,"variance":0.1,"proper":true}}"#);
    let a = analyze(&mean(10.0, 100.0, 1002.25), &mean(10.0, 105.0, 1111.5), &c);
    check_bayes(&a, 0.05063, [-0.01893, 0.12019], 0.03549, 0.92315, [0.05186, 0.00123]);
}

#[test]
fn bayesian_relative_prior_rescaled_for_absolute_effects() {
    // TestGaussianEffectRelativeAbsolutePriors: rescaling keeps the chance to win close.
    let c = mean(100.0, 1000.0, 200000.0);
    let t = mean(100.0, 1100.0, 200005.0);
    let prior = r#""prior":{"mean":1,"variance":1,"proper":true}"#;
    let abs =
        analyze(&c, &t, &cfg(&format!(r#"{{"engine":"bayesian","difference_type":"absolute",{prior}}}"#)));
    let rel = analyze(&c, &t, &cfg(&format!(r#"{{"engine":"bayesian",{prior}}}"#)));
    // packages/tsgbstats/test/fixtures/bayesian/tests.fixtures.json has the numbers.
    check_bayes(&abs, 3.48639, [-6.81537, 13.78815], 5.2561, 0.74643, [4.28516, 0.79877]);
    check_bayes(&rel, 0.3671, [-0.70064, 1.43484], 0.54477, 0.7498, [0.44844, 0.08134]);
    let ctw = |a: &Analysis| match a.read_out {
        ReadOut::Bayesian { chance_to_win, .. } => chance_to_win,
        _ => f64::NAN,
    };
    assert!((ctw(&abs) - ctw(&rel)).abs() < 0.005);
}

// The back-end's checkSrm; expected values computed with scipy.stats.chi2.sf.
#[test]
fn srm() {
    let near7 = |got: f64, want: f64| assert!((got - want).abs() < 1e-7, "got {got}, want {want}");
    near7(srm_p_value(&[1000.0, 1200.0], &[0.5, 0.5]), 2.007865612426481e-05);
    near7(srm_p_value(&[1000.0, 1030.0], &[0.5, 0.5]), 0.5055100873510177);
    // An arm with weight 0 is left out, as is one with no users.
    near7(srm_p_value(&[1000.0, 1030.0, 7.0], &[0.5, 0.5, 0.0]), 0.5055100873510177);
    near7(srm_p_value(&[1000.0, 1030.0, 0.0], &[0.4, 0.4, 0.2]), 0.5055100873510177);
    assert_eq!(srm_p_value(&[1000.0], &[1.0]), 1.0);
    assert_eq!(srm_p_value(&[], &[]), 1.0);
}

// packages/shared/test/power.test.ts ("calculates power correctly" and the three after it).
fn power_case(effect: f64, n_total: f64, tuning: Option<f64>) -> PowerInput {
    PowerInput {
        metric: PowerMetric::Mean,
        mean: 10.0,
        variance: 3909.9997749994377,
        effect,
        n_total,
        variations: 3.0,
        alpha: 0.05,
        two_tailed: true,
        sequential_tuning_parameter: tuning,
    }
}

#[test]
fn power_and_mde() {
    near(power(&power_case(0.05, 400000.0, None)).unwrap(), 0.52144);
    near(mde(&power_case(0.05, 400000.0, None), 0.8).unwrap(), 0.07027);
    near(power(&power_case(0.05, 400000.0, Some(5000.0))).unwrap(), 0.20596);
    near(mde(&power_case(0.05, 400000.0, Some(5000.0)), 0.8).unwrap(), 0.12821);
}

#[test]
fn power_by_week() {
    // power.test.ts "checks power" and "checks sequential power": 4,500 users a
    // week, three arms; per week the click-through rate, then the revenue metric.
    let metric = |proportion: bool, n_total: f64, tuning: Option<f64>| PowerInput {
        metric: if proportion { PowerMetric::Proportion } else { PowerMetric::Mean },
        mean: 0.1,
        variance: if proportion { 0.0 } else { 0.5 },
        effect: if proportion { 0.05 } else { 0.3 },
        n_total,
        variations: 3.0,
        alpha: 0.05,
        two_tailed: true,
        sequential_tuning_parameter: tuning,
    };
    let fixed_power = [
        0.073, 0.17053, 0.0965, 0.29389, 0.1204, 0.41122, 0.14458, 0.51749, 0.16895, 0.61037, 0.19342,
        0.68938, 0.21791, 0.75513, 0.24235, 0.80886, 0.26666, 0.85213,
    ];
    let fixed_mde = [
        0.36767, 1.26769, 0.24505, 0.71941, 0.19525, 0.54299, 0.16673, 0.4506, 0.14774, 0.39208, 0.13394,
        0.35099, 0.12336, 0.32018, 0.11491, 0.29603, 0.10796, 0.27647,
    ];
    let seq_power = [
        0.05936, 0.09832, 0.06912, 0.14992, 0.07849, 0.19972, 0.08761, 0.24784, 0.09657, 0.29426, 0.10541,
        0.33888, 0.11415, 0.38165, 0.12282, 0.42249, 0.13142, 0.46136,
    ];
    let seq_mde = [
        0.65545, 4.33868, 0.4112, 1.51846, 0.32394, 1.04943, 0.27607, 0.84084, 0.24484, 0.71862, 0.22241,
        0.63663, 0.20532, 0.577, 0.19172, 0.53123, 0.18058, 0.49473,
    ];
    for (tuning, powers, mdes) in [(None, fixed_power, fixed_mde), (Some(5000.0), seq_power, seq_mde)] {
        for week in 0..9 {
            let n = 4500.0 * (week + 1) as f64;
            for (k, proportion) in [true, false].into_iter().enumerate() {
                let input = metric(proportion, n, tuning);
                near(power(&input).unwrap(), powers[2 * week + k]);
                near(mde(&input, 0.8).unwrap(), mdes[2 * week + k]);
            }
        }
    }
}

#[test]
fn mde_needs_enough_users() {
    let err = mde(&power_case(0.05, 10.0, None), 0.8).unwrap_err();
    assert_eq!(err, "need to increase number of users or reduce number of variations.");
}

// packages/tsgbstats/test/fixtures/statistics.fixtures.json: values GrowthBook
// generates from gbstats for its TypeScript port.
#[test]
fn statistics_fixtures() {
    use statistic::Stat;
    let parse = |s: &Statistic| Stat::parse(s, "A").unwrap();
    let m = parse(&mean(4.0, 23.7, 485.15));
    near(m.mean(), 5.925);
    near(m.variance(), 114.90916666666665);
    assert_eq!(parse(&mean(1.0, 23.7, 485.15)).variance(), 0.0);
    let p = parse(&prop(4.0, 3.0));
    near(p.mean(), 0.75);
    near(p.variance(), 0.1875);
    let ratio = |d_sum: f64| Statistic::Ratio {
        n: 4.0,
        m_sum: 23.7,
        m_sum_squares: 485.15,
        d_sum,
        d_sum_squares: 39.0,
        m_d_sum_of_products: 71.6,
    };
    match parse(&ratio(11.0)) {
        Stat::Ratio(r) => {
            near((r.m_d_sum_of_products - r.m.sum() * r.d.sum() / r.n) / (r.n - 1.0), 2.1416666666666666)
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(parse(&ratio(0.0)).variance(), 0.0);
    let ra = |n: f64, theta: Option<f64>, pre_sum: f64, pre_ss: f64, sp: f64| Statistic::RegressionAdjusted {
        n,
        post: Box::new(mean(n, 11.0, 39.0)),
        pre: Box::new(mean(n, pre_sum, pre_ss)),
        post_pre_sum_of_products: sp,
        theta,
    };
    let zero = parse(&ra(4.0, Some(0.0), 23.7, 485.15, 71.6));
    near(zero.mean(), 2.75);
    near(zero.variance(), 2.9166666666666665);
    assert_eq!(parse(&ra(1.0, Some(0.3), 23.7, 485.15, 71.6)).variance(), 0.0);
    // compute_theta: estimated when a theta is missing, and 0 (no adjustment) without pre-period variance.
    let pair = |pre_sum, pre_ss, sp| {
        statistic::theta_adjusted(
            parse(&ra(4.0, None, pre_sum, pre_ss, sp)),
            parse(&ra(4.0, None, pre_sum, pre_ss, sp)),
        )
        .unwrap()
    };
    match pair(23.7, 485.15, 71.6) {
        (Stat::Ra(a), _) => near(a.theta.unwrap(), 0.01864),
        other => panic!("{other:?}"),
    }
    assert!(matches!(pair(0.0, 0.0, 0.0), (Stat::Moment(_), Stat::Moment(_))));
    // EffectMomentsResult.test_negative_variance
    let a = Statistic::RegressionAdjusted {
        n: 4.0,
        post: Box::new(prop(4.0, -7.0)),
        pre: Box::new(prop(4.0, 0.0)),
        post_pre_sum_of_products: 0.0,
        theta: None,
    };
    let b = Statistic::RegressionAdjusted {
        n: 3.0,
        post: Box::new(prop(3.0, 1.0)),
        pre: Box::new(prop(3.0, 1.0)),
        post_pre_sum_of_products: 1.0,
        theta: None,
    };
    let out = analyze(&a, &b, &cfg(r#"{"difference_type":"absolute"}"#));
    assert_eq!(out.error.as_deref(), Some(ZERO_NEGATIVE_VARIANCE));
}

#[test]
fn a_given_theta_is_used_as_is() {
    // gbstats estimates theta only when one of the arms has none.
    let ra = |n: f64, post: Statistic, pre: Statistic, theta: Option<f64>| Statistic::RegressionAdjusted {
        n,
        post: Box::new(post),
        pre: Box::new(pre),
        post_pre_sum_of_products: if n > 3000.0 { 9000.0 } else { 8000.0 },
        theta,
    };
    let a = |t| ra(3000.0, mean(3000.0, 1396.87, 52377.9767), mean(3000.0, 16.87, 527.9767), t);
    let b = |t| ra(3461.0, mean(3461.0, 2422.7, 134698.29), mean(3461.0, 22.7, 1348.29), t);
    let estimated = analyze(&a(None), &b(None), &Config::default());
    let (sa, sb) = statistic::theta_adjusted(
        statistic::Stat::parse(&a(None), "A").unwrap(),
        statistic::Stat::parse(&b(None), "B").unwrap(),
    )
    .unwrap();
    let theta = match (sa, sb) {
        (statistic::Stat::Ra(x), statistic::Stat::Ra(_)) => x.theta.unwrap(),
        other => panic!("expected CUPED statistics, got {other:?}"),
    };
    assert_eq!(analyze(&a(Some(theta)), &b(Some(theta)), &Config::default()), estimated);
    assert_ne!(analyze(&a(Some(0.5)), &b(Some(0.5)), &Config::default()), estimated);
}

#[test]
fn nonsense_gets_a_message() {
    let nan = mean(10.0, f64::NAN, 1.0);
    let out = analyze(&nan, &seq_b(), &Config::default());
    assert_eq!(out.error.as_deref(), Some("A: sum must be a finite number"));
    let ra = Statistic::RegressionAdjusted {
        n: 10.0,
        post: Box::new(prop(10.0, 3.0)),
        pre: Box::new(mean(10.0, 3.0, 4.0)),
        post_pre_sum_of_products: 1.0,
        theta: None,
    };
    let out = analyze(&ra, &ra, &Config::default());
    assert_eq!(out.error.as_deref(), Some("A: post_statistic and pre_statistic must be of the same type"));
    let ra = Statistic::RegressionAdjusted {
        n: 3000.0,
        post: Box::new(seq_a()),
        pre: Box::new(seq_a()),
        post_pre_sum_of_products: 1.0,
        theta: Some(0.1),
    };
    let out = analyze(&ra, &seq_b(), &Config::default());
    assert_eq!(
        out.error.as_deref(),
        Some("If stat_a is a RegressionAdjustedStatistic, stat_b must be as well")
    );
    let out = analyze(&seq_a(), &seq_b(), &cfg(r#"{"alpha":1.5}"#));
    assert_eq!(out.error.as_deref(), Some("alpha must be between 0 and 1"));
}

#[test]
fn serde_shapes() {
    let s: Statistic = serde_json::from_str(
        r#"{"type":"RegressionAdjusted","n":10,"post":{"type":"Proportion","n":10,"sum":3},
            "pre":{"type":"Proportion","n":10,"sum":2},"post_pre_sum_of_products":1,"theta":null}"#,
    )
    .unwrap();
    assert!(matches!(s, Statistic::RegressionAdjusted { theta: None, .. }));
    let a = analyze(&seq_a(), &seq_b(), &cfg(r#"{"alternative":"greater"}"#));
    let json = serde_json::to_value(&a).unwrap();
    assert_eq!(json["ci"][1], serde_json::Value::Null, "an infinite bound is null");
    assert!(json.get("p_value").is_some() && json.get("chance_to_win").is_none());
    let b = analyze(&seq_a(), &seq_b(), &cfg(r#"{"engine":"bayesian"}"#));
    let json = serde_json::to_value(&b).unwrap();
    assert!(json.get("p_value").is_none() && json["risk"].is_array());
    assert!(serde_json::from_str::<Config>(r#"{"engine":"bayes"}"#).is_err());
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    fn number() -> BoxedStrategy<f64> {
        prop_oneof![
            4 => -1e3f64..1e6,
            1 => Just(0.0),
            1 => Just(1.0),
            1 => any::<f64>(),
            1 => prop::sample::select(vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY, f64::MAX, f64::MIN_POSITIVE]),
        ]
        .boxed()
    }

    fn moment() -> BoxedStrategy<Statistic> {
        prop_oneof![
            (number(), number(), number()).prop_map(|(n, sum, sum_squares)| Statistic::SampleMean {
                n,
                sum,
                sum_squares
            }),
            (number(), number()).prop_map(|(n, sum)| Statistic::Proportion { n, sum }),
        ]
        .boxed()
    }

    fn statistic() -> BoxedStrategy<Statistic> {
        prop_oneof![
            moment(),
            prop::collection::vec(number(), 6).prop_map(|v| Statistic::Ratio {
                n: v[0],
                m_sum: v[1],
                m_sum_squares: v[2],
                d_sum: v[3],
                d_sum_squares: v[4],
                m_d_sum_of_products: v[5],
            }),
            (number(), moment(), moment(), number(), prop::option::of(number())).prop_map(
                |(n, post, pre, sp, theta)| {
                    Statistic::RegressionAdjusted {
                        n,
                        post: Box::new(post),
                        pre: Box::new(pre),
                        post_pre_sum_of_products: sp,
                        theta,
                    }
                }
            ),
            (
                number(),
                (moment(), moment(), moment(), moment()),
                prop::collection::vec(number(), 6),
                prop::option::of(number())
            )
                .prop_map(|(n, (mp, dp, mq, dq), v, theta)| Statistic::RegressionAdjustedRatio {
                    n,
                    m_post: Box::new(mp),
                    d_post: Box::new(dp),
                    m_pre: Box::new(mq),
                    d_pre: Box::new(dq),
                    m_post_m_pre_sum_of_products: v[0],
                    d_post_d_pre_sum_of_products: v[1],
                    m_pre_d_pre_sum_of_products: v[2],
                    m_post_d_post_sum_of_products: v[3],
                    m_post_d_pre_sum_of_products: v[4],
                    m_pre_d_post_sum_of_products: v[5],
                    theta,
                }),
        ]
        .boxed()
    }

    fn config() -> impl Strategy<Value = Config> {
        (
            prop::bool::ANY,
            prop::bool::ANY,
            prop_oneof![Just(0.05), number()],
            0..3u8,
            prop::option::of(number()),
            prop::option::of((number(), number(), prop::bool::ANY, prop::bool::ANY)),
        )
            .prop_map(|(bayes, abs, alpha, alt, tuning, prior)| Config {
                engine: if bayes { Engine::Bayesian } else { Engine::Frequentist },
                difference_type: if abs { DifferenceType::Absolute } else { DifferenceType::Relative },
                alpha,
                alternative: [Alternative::TwoSided, Alternative::Greater, Alternative::Less][alt as usize],
                sequential_tuning_parameter: tuning,
                prior: prior.map(|(mean, variance, proper, abs)| Prior {
                    mean,
                    variance,
                    proper,
                    prior_type: if abs { PriorType::Absolute } else { PriorType::Relative },
                }),
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn analyze_never_panics(a in statistic(), b in statistic(), c in config()) {
            let out = analyze(&a, &b, &c);
            // Either an error or numbers; never an error with a non-default effect.
            if out.error.is_some() {
                prop_assert_eq!(out.expected, 0.0);
            }
            let _ = serde_json::to_string(&out).unwrap();
        }

        #[test]
        fn srm_never_panics(users in prop::collection::vec(number(), 0..6), weights in prop::collection::vec(number(), 0..6)) {
            let _ = srm_p_value(&users, &weights);
        }

        #[test]
        fn power_never_panics(
            proportion in prop::bool::ANY,
            v in prop::collection::vec(number(), 6),
            two_tailed in prop::bool::ANY,
            tuning in prop::option::of(number()),
        ) {
            let input = PowerInput {
                metric: if proportion { PowerMetric::Proportion } else { PowerMetric::Mean },
                mean: v[0],
                variance: v[1],
                effect: v[2],
                n_total: v[3],
                variations: v[4],
                alpha: v[5],
                two_tailed,
                sequential_tuning_parameter: tuning,
            };
            let out = power_analysis(&input);
            let _ = serde_json::to_string(&out).unwrap();
        }
    }
}
