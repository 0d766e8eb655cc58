/**
 * Seed 000: a fitness agent logs workouts and keeps per-user statistics. The statistics are
 * changed with update operators (`$inc`, `$set`), so two workouts logged at once never lose a
 * count, whether the vault is embedded or remote.
 */

import type { Vault } from "@agentvault/core";
import { dayStart, type Example, type ExampleEnvironment, isoDay } from "./example-environment.js";

interface Workout {
  userId: string;
  type: string;
  durationMinutes: number;
  caloriesBurned: number;
  date: string;
  timestamp: Date;
}

interface FitnessStats {
  userId: string;
  totalWorkouts: number;
  totalDuration: number;
  totalCalories: number;
  favoriteActivities: Record<string, number>;
  streakDays: number;
  lastWorkoutDate: string | null;
}

/** The agent's tools, bound to a vault. */
export function fitnessTools(vault: Vault) {
  const workouts = vault.collection<Workout>("workouts");
  const stats = vault.collection<FitnessStats>("fitness_stats");

  async function logWorkout(
    userId: string,
    workout: { type: string; duration: number; calories: number; at: Date },
  ) {
    const date = isoDay(workout.at);
    const workoutId = await workouts.store({
      userId,
      type: workout.type,
      durationMinutes: workout.duration,
      caloriesBurned: workout.calories,
      date,
      timestamp: workout.at,
    });
    const current = await stats.retrieve(userId);
    if (current === null) {
      await stats.store(
        {
          userId,
          totalWorkouts: 0,
          totalDuration: 0,
          totalCalories: 0,
          favoriteActivities: {},
          streakDays: 0,
          lastWorkoutDate: null,
        },
        { key: userId },
      );
    }
    const yesterday = isoDay(dayStart(workout.at, -1));
    const last = current?.lastWorkoutDate ?? null;
    const streakDays =
      last === date
        ? (current?.streakDays ?? 1)
        : last === yesterday
          ? (current?.streakDays ?? 0) + 1
          : 1;
    await stats.update(userId, {
      $inc: {
        totalWorkouts: 1,
        totalDuration: workout.duration,
        totalCalories: workout.calories,
        [`favoriteActivities.${workout.type}`]: 1,
      },
      $set: { streakDays, lastWorkoutDate: date },
    });
    const updated = await stats.retrieve(userId);
    return {
      message: `Logged ${workout.duration} min ${workout.type} workout`,
      workoutId,
      totalWorkouts: updated?.totalWorkouts,
      streakDays: updated?.streakDays,
    };
  }

  async function fitnessSummary(userId: string, today: Date, days = 7) {
    const since = isoDay(dayStart(today, -days));
    const recent = await workouts.query(
      { userId, date: { $gte: since } },
      { sort: { timestamp: 1 } },
    );
    const overall = await stats.retrieve(userId);
    return {
      periodDays: days,
      workoutsThisPeriod: recent.length,
      totalDuration: recent.reduce((sum, item) => sum + item.durationMinutes, 0),
      totalCalories: recent.reduce((sum, item) => sum + item.caloriesBurned, 0),
      workoutTypes: [...new Set(recent.map((item) => item.type))].sort(),
      overallStats: overall,
    };
  }

  return { logWorkout, fitnessSummary, workouts };
}

/** Logs two weeks of workouts and summarises the last one. */
export async function fitnessTrackingExample(environment: ExampleEnvironment) {
  const { vault } = environment;
  await vault.clear("workouts");
  await vault.clear("fitness_stats");
  const tools = fitnessTools(vault);
  const today = dayStart(environment.now());
  const at = (daysAgo: number, hour: number) =>
    new Date(dayStart(today, -daysAgo).getTime() + hour * 3_600_000);
  const log = [
    await tools.logWorkout("alice", { type: "run", duration: 30, calories: 300, at: at(10, 7) }),
    await tools.logWorkout("alice", { type: "swim", duration: 45, calories: 400, at: at(3, 7) }),
    await tools.logWorkout("alice", { type: "run", duration: 25, calories: 250, at: at(2, 7) }),
    await tools.logWorkout("alice", { type: "yoga", duration: 60, calories: 180, at: at(1, 18) }),
    await tools.logWorkout("alice", { type: "run", duration: 35, calories: 350, at: at(0, 6) }),
    await tools.logWorkout("alice", { type: "run", duration: 20, calories: 200, at: at(0, 19) }),
    await tools.logWorkout("bob", { type: "bike", duration: 90, calories: 800, at: at(0, 9) }),
  ];
  return {
    log: log.map(({ workoutId: _workoutId, ...rest }) => rest),
    workoutIds: log.map((entry) => entry.workoutId),
    aliceWeek: await tools.fitnessSummary("alice", today, 7),
    bobWeek: await tools.fitnessSummary("bob", today, 7),
    longRuns: await tools.workouts.count({ type: "run", durationMinutes: { $gte: 30 } }),
  };
}

/** The example, for `main.ts` and the tests. */
export const fitnessTracking: Example = {
  name: "fitness-tracking",
  seed: "000",
  run: fitnessTrackingExample,
};
