-- cl.stats: values from Tests/ChurnCoreTests/References/stats_reference.py (SciPy 1.17.1, statsmodels).
local T = cl.test

T.case("two proportions", function()
  local r = cl.stats.two_proportion(120, 1000, 90, 1000)
  T.near(r.z, 2.1882658846227234, 1e-12)
  T.near(r.p_value, 0.028650240398448473, 1e-14)
  T.near({ r.lower, r.upper }, { 0.003162087844242635, 0.05683791215575736 }, 1e-13)
  T.near(cl.stats.two_proportion(120, 1000, 90, 1000, { alternative = "greater" }).p_value, 0.014325120199224236, 1e-14)
  T.raises(function() cl.stats.two_proportion(120, 1000, 90, 1000, { alternative = "bigger" }) end, "'two-sided', 'greater' or 'less'")
end)

T.case("chi-square with Cramér's V interval", function()
  local r = cl.stats.chi2({ { 30, 14, 6 }, { 22, 25, 13 }, { 5, 9, 21 } })
  T.near(r.statistic, 31.92215277777778, 1e-10)
  T.eq(r.df, 4)
  T.near(r.cramers_v, 0.3317776196323207, 1e-14)
  T.near({ r.lower, r.upper }, { 0.19651790630946675, 0.43320784796230083 }, 1e-9)
  T.near(cl.stats.chi2({ { 120, 880 }, { 90, 910 } }).statistic, 4.474594306996542, 1e-10)
  T.near(cl.stats.chi2({ { 120, 880 }, { 90, 910 } }, { yates = false }).statistic, 4.788507581803671, 1e-10)
  T.raises(function() cl.stats.chi2({ { 1, 2 }, { 3, "x" } }) end, "row 2")
end)

T.case("Welch and Mann-Whitney", function()
  local x = { 12.1, 14.3, 9.8, 11.0, 15.2, 13.3, 10.9, 12.8, 14.0 }
  local y = { 10.2, 9.1, 11.5, 8.8, 10.0, 12.2, 9.5, 9.9, 7.4, 10.8, 9.0, 11.1 }
  local w = cl.stats.welch(x, y)
  T.near(w.t, 3.7271613746093917, 1e-12)
  T.near(w.p_value, 0.0022148346303894188, 1e-12)
  T.near(w.cohens_d, 1.7182538214094716, 1e-12)
  local a = { 3, 5, 5, 7, 8, 8, 8, 10, 12, 13, 15 }
  local b = { 1, 2, 3, 3, 5, 6, 7, 7, 8, 9 }
  local m = cl.stats.mann_whitney(a, b)
  T.eq(m.u, 84.5)
  T.eq(m.method, "asymptotic")
  T.near(m.p_value, 0.039699384679769745, 1e-13)
  local e = cl.stats.mann_whitney({ 1.1, 2.4, 3.9, 5.0, 6.2, 7.7 }, { 0.3, 0.9, 1.5, 2.0, 3.1 })
  T.eq(e.method, "exact")
  T.near(e.p_value, 0.05194805194805195, 1e-15)
end)

T.case("sample size, power, distributions", function()
  local s = cl.stats.sample_size{ baseline = 0.2, mde = -0.03 }
  T.eq(s.per_group, 2629)
  T.eq(s.total, 5258)
  T.near(cl.stats.power{ baseline = 0.2, mde = -0.03, n = 2000 }, 0.6856591794443344, 1e-12)
  T.raises(function() cl.stats.sample_size{ baseline = 0.2 } end, "'baseline' and 'mde' are required")
  T.near(cl.stats.qnorm(0.975), 1.959963984540054, 1e-14)
  T.near(cl.stats.pt(-2.1, 3), 0.0632826012748423, 1e-13)
  T.near(cl.stats.qchisq(0.95, 1), 3.841458820694124, 1e-10)
end)
