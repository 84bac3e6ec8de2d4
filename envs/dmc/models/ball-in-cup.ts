/**
 * DMC ball-in-cup MJCF, written for pgvar from the fact sheet (spec dmc.md §6.6): MuJoCo's default
 * 0.002 s Euler step (10 substeps per control step), a sprung cup on two slides and a ball tied to
 * it by a spatial tendon limited to 0.3 m.
 */
const seg = (i: number, a: string, b: string) => `<geom name="segment${i}" fromto="${a} ${b}"/>`;

export const DMC_BALL_IN_CUP_XML = `<mujoco model="ball in cup">
  <default>
    <motor ctrlrange="-1 1" ctrllimited="true" gear="5"/>
    <default class="cup">
      <joint type="slide" damping="3" stiffness="20"/>
      <geom type="capsule" size="0.008"/>
    </default>
  </default>
  <worldbody>
    <geom name="ground" type="plane" pos="0 0 0" size="0.6 0.6 0.1"/>
    <body name="cup" pos="0 0 0.6" childclass="cup">
      <joint name="cup_x" axis="1 0 0"/>
      <joint name="cup_z" axis="0 0 1"/>
      ${seg(1, '-0.05 0 0', '-0.05 0 -0.075')}
      ${seg(2, '-0.05 0 -0.075', '-0.025 0 -0.1')}
      ${seg(3, '-0.025 0 -0.1', '0.025 0 -0.1')}
      ${seg(4, '0.025 0 -0.1', '0.05 0 -0.075')}
      ${seg(5, '0.05 0 -0.075', '0.05 0 0')}
      <site name="cup" pos="0 0 -0.108" size="0.005"/>
      <site name="target" type="box" pos="0 0 -0.05" size="0.05 0.006 0.05"/>
    </body>
    <body name="ball" pos="0 0 0.2">
      <joint name="ball_x" type="slide" axis="1 0 0"/>
      <joint name="ball_z" type="slide" axis="0 0 1"/>
      <geom name="ball" type="sphere" size="0.025"/>
      <site name="ball" size="0.005"/>
    </body>
  </worldbody>
  <tendon>
    <spatial name="string" limited="true" range="0 0.3" width="0.003">
      <site site="ball"/>
      <site site="cup"/>
    </spatial>
  </tendon>
  <actuator>
    <motor name="x" joint="cup_x"/>
    <motor name="z" joint="cup_z"/>
  </actuator>
</mujoco>
`;
