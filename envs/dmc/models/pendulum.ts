/**
 * DMC pendulum MJCF, written for pgvar from the fact sheet (spec dmc.md §6.9): Euler at 0.02 s,
 * contacts disabled; the body's mass is a 1 kg sphere at 0.5 (massless rod and decoration); a ±1 N·m
 * motor, weaker than gravity's peak 4.9 N·m, so the pendulum must be swung up. qpos 0 = upright.
 */
export const DMC_PENDULUM_XML = `<mujoco model="pendulum">
  <option timestep="0.02">
    <flag contact="disable" energy="enable"/>
  </option>
  <worldbody>
    <geom name="floor" type="plane" size="2 2 0.2" pos="0 0 -0.05"/>
    <body name="pole" pos="0 0 0.6">
      <joint name="hinge" type="hinge" axis="0 1 0" damping="0.1"/>
      <geom name="base" type="cylinder" fromto="0 -0.03 0 0 0.03 0" size="0.021" mass="0"/>
      <geom name="pole" type="capsule" fromto="0 0 0 0 0 0.5" size="0.02" mass="0"/>
      <geom name="mass" type="sphere" pos="0 0 0.5" size="0.05" mass="1"/>
    </body>
  </worldbody>
  <actuator>
    <motor name="torque" joint="hinge" gear="1" ctrllimited="true" ctrlrange="-1 1"/>
  </actuator>
</mujoco>
`;
